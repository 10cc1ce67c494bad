# Templates that try to write outside the new directory: through '..' in a file name, an
# absolute path, a symbolic link (to a file and to a directory). All refused, nothing written.
. "$(dirname "$0")/common.sh"
cd "$T"
run_exo 0 create app demo
cp demo/application.yml "$T/app.yml"

# evil NAME: a service template whose files/ holds FILE (a path under files/)
evil() {
    rm -rf "$T/evil" && mkdir -p "$T/evil/files"
    printf 'name: evil\ndescription: tries to escape\nkind: service\nvalues:\n  dest: {default: "%s"}\n' "$1" > "$T/evil/template.yml"
    printf 'type: evil\n' > "$T/evil/files/service.yml"
}

check_nothing_written() {
    cmp -s demo/application.yml "$T/app.yml" || fail "application.yml changed"
    [ ! -e demo/evil ] || fail "service directory created"
    [ ! -e "$T/escaped" ] && [ ! -e "$T/demo/escaped" ] || fail "a file escaped the service directory"
    no_temp_left demo
}

# '..' in a file name (through a value)
evil '..'
mkdir -p "$T/evil/files/{{dest}}" && echo pwned > "$T/evil/files/{{dest}}/escaped"
run_exo 1 add service evil --template "$T/evil" --app demo
err_has "renders to '.' or '..'"
check_nothing_written

evil '../..'
echo pwned > "$T/evil/files/{{dest}}"
run_exo 1 add service evil --template "$T/evil" --app demo
err_has "with '/'"
check_nothing_written

evil 'x'
echo pwned > "$T/evil/files/.{{dest}}."
printf 'name: evil\ndescription: e\nkind: service\nvalues:\n  dest: {default: ""}\n' > "$T/evil/template.yml"
mv "$T/evil/files/.{{dest}}." "$T/evil/files/.{{dest}}.{{dest}}"
run_exo 1 add service evil --template "$T/evil" --app demo
err_has "renders to '.' or '..'"
check_nothing_written

# an absolute path
evil "$T/escaped"
echo pwned > "$T/evil/files/{{dest}}"
run_exo 1 add service evil --template "$T/evil" --app demo
err_has "absolute path"
check_nothing_written

# a link to a file outside, and a link to a directory outside
evil x
echo secret > "$T/outside-file"
ln -s "$T/outside-file" "$T/evil/files/config"
run_exo 1 add service evil --template "$T/evil" --app demo
err_has "config: error: is a symbolic link"
check_nothing_written
evil x
mkdir "$T/outside-dir"
ln -s "$T/outside-dir" "$T/evil/files/data"
run_exo 1 add service evil --template "$T/evil" --app demo
err_has "is a symbolic link"
check_nothing_written
[ -z "$(ls -A "$T/outside-dir")" ] || fail "wrote through a directory link"

# files/ itself a link
evil x
rm -rf "$T/evil/files" && mkdir "$T/realfiles" && printf 'type: x\n' > "$T/realfiles/service.yml"
ln -s "$T/realfiles" "$T/evil/files"
run_exo 1 add service evil --template "$T/evil" --app demo
err_has "files/"
check_nothing_written

# and the same refusals through exo template check
evil '..'
mkdir -p "$T/evil/files/{{dest}}" && echo pwned > "$T/evil/files/{{dest}}/escaped"
run_exo 1 template check "$T/evil"
err_has "renders to '.' or '..'"
# template.yml a link (here to a file shaped like /etc/shadow): refused without reading it, so
# none of the target's content shows up in an error message.
evil x
printf 'root:*:19000:0:99999:7:::\nsecretuser:$6$salt$hash:19000:0:99999:7:::\n' > "$T/shadow"
rm "$T/evil/template.yml" && ln -s "$T/shadow" "$T/evil/template.yml"
run_exo 1 add service evil --template "$T/evil" --app demo
err_has "template.yml: error: is a symbolic link"
grep -qE 'root|secretuser|salt' "$T/err" && { cat "$T/err"; fail "the link's target was echoed"; }
check_nothing_written
run_exo 1 template check "$T/evil"
err_has "is a symbolic link"
grep -qE 'root|secretuser|salt' "$T/err" && { cat "$T/err"; fail "template check echoed the target"; }
# ... and the same file found on the search path: skipped with a warning, still not read
mkdir -p "$XDG_DATA_HOME/exo/templates"
cp -a "$T/evil" "$XDG_DATA_HOME/exo/templates/evil"
run_exo 0 templates
err_has "is a symbolic link"
grep -qE 'root|secretuser|salt' "$T/err" "$T/out" && { cat "$T/err"; fail "exo templates echoed the target"; }
rm -rf "$XDG_DATA_HOME/exo/templates/evil"

# template.yml a FIFO: refused, and exo does not hang reading it
evil x
rm "$T/evil/template.yml" && mkfifo "$T/evil/template.yml"
run_exo 1 add service evil --template "$T/evil" --app demo
err_has "template.yml: error: is not a regular file"
check_nothing_written

# The template's root directory a link: by path (with or without a trailing slash) and by name
# on the search path.
evil x
mv "$T/evil" "$T/evil-real" && ln -s "$T/evil-real" "$T/evil"
run_exo 1 add service evil --template "$T/evil" --app demo
err_has "is a symbolic link"
check_nothing_written
run_exo 1 add service evil --template "$T/evil/" --app demo
err_has "is a symbolic link"
check_nothing_written
ln -s "$T/evil-real" "$XDG_DATA_HOME/exo/templates/linked"
sed -i 's/^name: evil/name: linked/' "$T/evil-real/template.yml"
run_exo 1 add service evil --template linked --app demo
err_has "is a symbolic link"
check_nothing_written
rm -f "$T/evil" "$XDG_DATA_HOME/exo/templates/linked" && mv "$T/evil-real" "$T/evil"

# A newline (or any control character) in a rendered file name is refused, and not echoed raw.
evil x
echo data > "$T/evil/files/{{dest}}"
run_exo 1 add service evil --template "$T/evil" --app demo --set dest="$(printf 'a\nb')"
err_has 'renders to a name with a control character ("a\nb")'
check_nothing_written
run_exo 1 add service evil --template "$T/evil" --app demo --set dest="$(printf 'a\tb')"
err_has 'control character'
check_nothing_written
echo "escape: ok"
