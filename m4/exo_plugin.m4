dnl EXO_OPTIONAL_PLUGIN(NAME, VAR, PKG-MODULES, DESCRIPTION)
dnl --with-NAME=yes|no|auto (default auto). auto builds the plugin when its library is found and
dnl skips it otherwise, with the reason in the summary; yes turns a missing library into an
dnl error; no skips it. Defines AM_CONDITIONAL PLUGIN_<NAME> and exo_plugin_<name>.
AC_DEFUN([EXO_OPTIONAL_PLUGIN], [
  m4_pushdef([var_], m4_translit([$1], [-], [_]))
  m4_pushdef([cond_], m4_toupper(m4_translit([$1], [-], [_])))
  AC_ARG_WITH([$1],
    [AS_HELP_STRING([--with-$1=@<:@yes/no/auto@:>@], [$4 (needs $3; default auto)])],
    [], [with_[]var_=auto])
  exo_plugin_[]var_="no (--without-$1)"
  AS_IF([test "x$with_[]var_" != xno],
    [PKG_CHECK_MODULES([$2], [$3], [exo_plugin_[]var_=yes],
      [AS_IF([test "x$with_[]var_" = xyes],
         [AC_MSG_ERROR([--with-$1 given but $3 was not found; install its -dev package or use --without-$1])])
       exo_plugin_[]var_="no ($3 not found)"])])
  AM_CONDITIONAL([PLUGIN_]cond_, [test "x$exo_plugin_[]var_" = xyes])
  m4_popdef([cond_])
  m4_popdef([var_])
])
