# tests/fuzz/fuzz-lib.sh - build and run exo's libFuzzer targets. Sourced by the suite's
# bounded runs (tests/fuzz/manifest.sh, template.sh) and by tests/fuzz/run.sh (`make fuzz`).
#
#   fuzz_build NAME DIR      clang -fsanitize=fuzzer,address,undefined; prints DIR/fuzz_NAME.
#                            Returns 77 when clang or its libFuzzer runtime is missing.
#   fuzz_run NAME DIR OPT... run it on a fresh copy of its seed corpus (in DIR) and its
#                            dictionary, with libFuzzer options OPT; the log is DIR/NAME.log.
#   fuzz_regressions NAME DIR  run it once on each kept crashing input (tests/fuzz/regressions/NAME)
#
# Targets: wire (the envelope decoder), manifest (application.yml and service.yml through the
# loader, the wiring check and the routing table), template (template.yml and rendering).
# The code under test is compiled from source with the fuzzer's instrumentation: folders as a
# whole, so that a module added to them is fuzzed without editing this file.

FUZZ_SRC=${EXO_TOP_SRCDIR:?EXO_TOP_SRCDIR not set}
FUZZ_BUILD=${EXO_TOP_BUILDDIR:?EXO_TOP_BUILDDIR not set}
FUZZ_CLANG=${CLANG:-clang}

# fuzz_sources NAME: the C files of target NAME.
fuzz_sources() {
  local z="$FUZZ_SRC/plugins/transport-zmq"
  case $1 in
    wire) echo "$z/wire.c $z/tests/fuzz_wire.c" ;;
    batch) echo "$z/wire.c $z/tests/fuzz_batch.c" ;;
    manifest) echo "$FUZZ_SRC/core/base/util.c" "$FUZZ_SRC"/core/model/*.c \
      "$z/router.c $z/outq.c $z/batch.c $z/wire.c $FUZZ_SRC/tests/fuzz/fuzz_manifest.c" ;;
    template) echo "$FUZZ_SRC/core/base/util.c" "$FUZZ_SRC"/core/model/*.c \
      "$FUZZ_SRC"/core/scaffold/*.c "$FUZZ_SRC/tests/fuzz/fuzz_template.c" ;;
    *) return 1 ;;
  esac
}

# fuzz_corpus NAME: the directory of its seed inputs.
fuzz_corpus() {
  case $1 in
    wire) echo "$FUZZ_SRC/plugins/transport-zmq/tests/fuzz-corpus" ;;
    batch) echo "$FUZZ_SRC/plugins/transport-zmq/tests/fuzz-corpus-batch" ;;
    *) echo "$FUZZ_SRC/tests/fuzz/corpus-$1" ;;
  esac
}

fuzz_build() {
  local name=$1 dir=$2 srcs
  srcs=$(fuzz_sources "$name") || { echo "fuzz: no target '$name'" >&2; return 1; }
  command -v "$FUZZ_CLANG" >/dev/null || { echo "fuzz: needs clang" >&2; return 77; }
  mkdir -p "$dir"
  # shellcheck disable=SC2086 # the lists are split on purpose
  "$FUZZ_CLANG" -g -O1 -std=gnu11 -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=undefined -I"$FUZZ_BUILD" -I"$FUZZ_SRC/core" \
    -I"$FUZZ_SRC/plugin-api" -I"$FUZZ_BUILD/plugin-api" -I"$FUZZ_SRC/plugins/transport-zmq" \
    -DEXO_PLUGINDIR='"/nonexistent"' -DEXO_TEMPLATEDIR='"/nonexistent"' \
    -DEXO_DATADIR='"/nonexistent"' -DEXO_LIBEXECDIR='"/nonexistent"' \
    $(pkg-config --cflags yaml-0.1 jansson libzmq) $srcs \
    $(pkg-config --libs yaml-0.1 jansson libzmq) \
    -o "$dir/fuzz_$name" >"$dir/build-$name.log" 2>&1 || {
    if grep -q "fuzzer" "$dir/build-$name.log"; then
      echo "fuzz: no libFuzzer runtime (libclang-rt-14-dev): $(tail -1 "$dir/build-$name.log")" >&2
      return 77
    fi
    cat "$dir/build-$name.log" >&2
    return 1
  }
  echo "$dir/fuzz_$name"
}

# fuzz_max_len NAME: inputs as large as a real file of its kind, with room to grow.
fuzz_max_len() {
  case $1 in
    wire) echo 4096 ;;
    *) echo 8192 ;;
  esac
}

fuzz_run() {
  local name=$1 dir=$2
  shift 2
  local dict="$FUZZ_SRC/tests/fuzz/$name.dict" opts=()
  [ -f "$dict" ] && opts+=(-dict="$dict")
  rm -rf "$dir/corpus-$name" && mkdir -p "$dir/corpus-$name" "$dir/artifacts-$name"
  cp "$(fuzz_corpus "$name")"/* "$dir/corpus-$name/"
  "$dir/fuzz_$name" -max_len="$(fuzz_max_len "$name")" \
    -print_final_stats=1 -artifact_prefix="$dir/artifacts-$name/" "${opts[@]}" "$@" \
    "$dir/corpus-$name" >"$dir/$name.log" 2>&1
}

fuzz_regressions() {
  local name=$1 dir=$2 rdir="$FUZZ_SRC/tests/fuzz/regressions/$1"
  [ -d "$rdir" ] && [ -n "$(ls -A "$rdir")" ] || return 0
  "$dir/fuzz_$name" "$rdir"/* >"$dir/$name-regressions.log" 2>&1
}

# fuzz_stat NAME DIR KEY: a number from the final stats (number_of_executed_units, ...).
fuzz_stat() {
  sed -n "s/^stat::$3: *//p" "$2/$1.log" | tail -1
}
