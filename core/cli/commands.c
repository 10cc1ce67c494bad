/* core/cli/commands.c - the command table. One line per command; each lives in core/cmd_*.c. */
#include "config.h"

#include <stddef.h>

#include "cli.h"

int exo_cmd_help(int argc, char **argv);
int exo_cmd_version(int argc, char **argv);
int exo_cmd_create(int argc, char **argv);
int exo_cmd_add(int argc, char **argv);
int exo_cmd_templates(int argc, char **argv);
int exo_cmd_template(int argc, char **argv);
int exo_cmd_check(int argc, char **argv);
int exo_cmd_plugins(int argc, char **argv);
int exo_cmd_run(int argc, char **argv);
int exo_cmd_test(int argc, char **argv);
int exo_cmd_setup(int argc, char **argv);
int exo_cmd_clean(int argc, char **argv);
int exo_cmd_env(int argc, char **argv);
int exo_cmd_bus(int argc, char **argv);
int exo_cmd_send(int argc, char **argv);
int exo_cmd_tail(int argc, char **argv);

const exo_command_t exo_commands[] = {
    {"help", "show the commands, or one command's usage", "Usage: exo help [COMMAND]",
     exo_cmd_help},
    {"version", "print exo's version and plugin ABI", "Usage: exo version\n\n"
     "Prints 'exo X.Y.Z' and the plugin ABI version 'plugin ABI MAJOR.MINOR'.",
     exo_cmd_version},
    {"create", "create a new app from a template",
     "Usage: exo create app NAME [--description TEXT] [--version X.Y.Z] [--template NAME]\n"
     "                          [--set KEY=VALUE]...\n\n"
     "Creates the directory NAME/ with application.yml and a .gitignore for .exo/, rendered\n"
     "from the app template NAME (default 'app'). NAME has letters, digits, '-' and '_' and\n"
     "starts with a letter or digit. An existing NAME/ is never touched. Values the command\n"
     "line leaves out are asked for when standard input is a terminal; otherwise defaults\n"
     "apply (description: empty, version: 0.1.0) and a missing NAME is an error.\n\n"
     "Options:\n"
     "  --description TEXT  what the app does\n"
     "  --version X.Y.Z     the app's first version (default 0.1.0)\n"
     "  --template NAME     app template, or a path to a template directory\n"
     "  --set KEY=VALUE     a value the template declares (see 'exo templates')",
     exo_cmd_create},
    {"add", "add a service to the app from a template",
     "Usage: exo add service ROLE --template NAME [--description TEXT] [--set KEY=VALUE]...\n"
     "                           [--app DIR]\n\n"
     "Renders the service template NAME into ROLE/ in the app and registers it in\n"
     "application.yml as services.ROLE.location: ./ROLE, editing the file's text so its\n"
     "comments, key order and layout stay as they are. ROLE has lower-case letters, digits\n"
     "and '-' and starts with a letter. A ROLE already in application.yml or an existing ROLE/\n"
     "is refused and nothing changes. Missing ROLE, template or values are asked for when\n"
     "standard input is a terminal; otherwise the command fails and names the flag.\n\n"
     "Options:\n"
     "  --template NAME     service template (c-service, python-service, worker, ...) or a\n"
     "                      path to a template directory; 'exo templates' lists them\n"
     "  --description TEXT  what the service does ({{description}} in the template)\n"
     "  --set KEY=VALUE     a value the template declares; repeat for several\n"
     "  --app DIR           the app directory (default: nearest application.yml upwards)",
     exo_cmd_add},
    {"templates", "list the templates exo can render",
     "Usage: exo templates [--json] [--app DIR]\n\n"
     "Lists every template found, in search order: the app's .exo/templates, then\n"
     "$XDG_DATA_HOME/exo/templates (default ~/.local/share/exo/templates), then the installed\n"
     "ones ($EXO_TEMPLATE_PATH overrides that directory). A template shadowed by an earlier one\n"
     "of the same name is marked. For each: its kind (app or service), where it comes from\n"
     "and the values it takes with their defaults.\n\n"
     "Options:\n"
     "  --json     print a JSON array (name, kind, description, origin, dir, shadowed,\n"
     "             values[{name, description, default, required}])\n"
     "  --app DIR  the app whose .exo/templates to include",
     exo_cmd_templates},
    {"template", "check a template: render it and run its setup and tests",
     "Usage: exo template check DIR [--set KEY=VALUE]... [--keep]\n\n"
     "Validates the template in DIR (template.yml, files/, placeholders, no links or escaping\n"
     "names), renders it into a temporary app (a service template as a service of a fresh\n"
     "app), runs 'exo setup' and 'exo test' there, and removes the app. Never prompts: values\n"
     "without defaults must be given with --set. Exit status 0 when everything passed.\n\n"
     "Options:\n"
     "  --set KEY=VALUE  a value for the template\n"
     "  --keep           keep the temporary app and print where it is",
     exo_cmd_template},
    {"check", "validate the app's manifests and message wiring",
     "Usage: exo check [--app DIR] [--strict] [--json]\n\n"
     "Validates application.yml and every service's service.yml (types, required and unknown\n"
     "keys, names, locations, translations, dependencies) and then the message wiring on\n"
     "public names: a message sent that no role receives, a message received that no role\n"
     "sends, a translation that maps to nothing.\n"
     "Prints one FILE:LINE:COLUMN: error|warning: MESSAGE line per finding on stderr, then\n"
     "'ok: app NAME, N services, M messages' on success.\n\n"
     "Options:\n"
     "  --app DIR  the app directory (default: the nearest directory at or above the\n"
     "             current one that holds application.yml)\n"
     "  --strict   treat warnings as errors\n"
     "  --json     print {ok, app, services, messages, errors, warnings, diagnostics: [{severity,\n"
     "             file, line, column, message}]} on stdout instead\n\n"
     "Exit status: 0 valid (warnings allowed unless --strict), 1 errors (or warnings with\n"
     "--strict), 2 internal error.",
     exo_cmd_check},
    {"plugins", "list the plugins exo finds, their ABI and status",
     "Usage: exo plugins [--app DIR] [--json]\n\n"
     "Lists every plugin found on the search path with its name, kind, version, plugin ABI,\n"
     "path and status (ok or error, with the reason). For backends that can probe their\n"
     "engine, also whether the engine is reachable. Broken plugins are listed, not fatal.\n\n"
     "Search path, first (kind, name) wins:\n"
     "  1. the directories in EXO_PLUGIN_PATH (colon-separated, absolute paths only)\n"
     "  2. <app>/.exo/plugins of the app in --app DIR or at/above the current directory\n"
     "  3. the installed plugin directory (" EXO_PLUGINDIR ")\n\n"
     "Options:\n"
     "  --app DIR  also search DIR/.exo/plugins\n"
     "  --json     print a JSON array of objects with keys name, kind, version, abi, path,\n"
     "             status, error (null when ok) and, for backends with a probe, engine\n\n"
     "Exit status: 0 (also when plugins are broken), 1 bad arguments, 2 internal error.",
     exo_cmd_plugins},
    {"run", "bring the whole app up, show its output, stop it with Ctrl-C",
     "Usage: exo run [--app DIR] [--backend NAME] [--watch] [--only ROLE...]\n"
     "               [--log-format text|json]\n\n"
     "Starts the message bus, the app's resources and its services (independent ones in\n"
     "parallel, a service with depends-on once those are ready), prints every line of their\n"
     "output prefixed with the role, and keeps them running (restarting crashed services per\n"
     "their restart policy) until Ctrl-C or SIGTERM, which stops everything: SIGTERM to each\n"
     "service's process group, SIGKILL after shutdown-grace. A second Ctrl-C kills at once.\n"
     "Logs are also written to .exo/logs/ROLE.log.\n\n"
     "Options:\n"
     "  --app DIR            the app directory (default: found from the current directory)\n"
     "  --backend NAME       run every service on this backend plugin (process, docker, ...)\n"
     "  --watch              restart a service (after its setup) when its files change\n"
     "  --only ROLE...       start only these roles (and what they depend on); repeatable,\n"
     "                       comma-separated lists allowed\n"
     "  --log-format FORMAT  text (default) or json: one JSON object per line\n\n"
     "Exit status: 0 after a clean shutdown, 1 when the app failed to come up or the\n"
     "manifest is invalid, 2 internal error.",
     exo_cmd_run},
    {"test", "run each service's tests with what they need running",
     "Usage: exo test [--app DIR] [--junit FILE] [--backend NAME] [ROLE...]\n\n"
     "Runs each selected service's `test` command in its directory, with the bus, the\n"
     "service's resources and the roles it `needs` running. Roles sharing a location are\n"
     "tested once; services without a test command are skipped. Inside a service directory\n"
     "only that service is tested. Prints a summary of passed, failed and skipped services.\n\n"
     "Options:\n"
     "  --app DIR     the app directory\n"
     "  --junit FILE  also write a JUnit XML report to FILE\n"
     "  --backend NAME  run on this backend plugin\n\n"
     "Exit status: 0 all tests passed (or skipped), 1 any failed or interrupted.",
     exo_cmd_test},
    {"setup", "run each service's setup command (build, install dependencies)",
     "Usage: exo setup [--app DIR] [--backend NAME] [ROLE...]\n\n"
     "Runs the `setup` command of each selected service (all by default; inside a service\n"
     "directory, that one) in its directory, all in parallel, output prefixed per role.\n"
     "Setup commands get EXO_CFLAGS and EXO_LIBS to build C services against libexoservice.\n\n"
     "Exit status: 0 all succeeded, else the exit code of the first setup that failed.",
     exo_cmd_setup},
    {"clean", "stop leftovers of an earlier run and remove run state and logs",
     "Usage: exo clean [--app DIR] [--data [--yes]]\n\n"
     "Stops an exo still running this app, kills what a killed exo left running (only what\n"
     "the app's backends recorded in .exo/), and removes .exo/logs, .exo/state and\n"
     ".exo/run.json. Resource data in .exo/resources is kept unless --data is given.\n\n"
     "Options:\n"
     "  --app DIR  the app directory\n"
     "  --data     also delete the data of every resource (asks first on a terminal)\n"
     "  --yes      do not ask (needed for --data without a terminal)",
     exo_cmd_clean},
    {"env", "show the environment a service gets, with where each value comes from",
     "Usage: exo env [--app DIR] [--all] [--setup] ROLE\n\n"
     "Prints NAME=VALUE  # ORIGIN for every variable ROLE's service would get, in precedence\n"
     "order (later lines win; see docs/configuration.md). Secrets are masked. Ports are picked\n"
     "afresh at each run, so PORT and the *_PORT values differ from run to run.\n\n"
     "Options:\n"
     "  --all    also show the variables inherited from exo's own environment\n"
     "  --setup  the environment of the setup command (adds EXO_CFLAGS, EXO_LIBS)",
     exo_cmd_env},
    {"bus", "run the app's message bus on its own, printing every routed message",
     "Usage: exo bus [--app DIR] [--listen ENDPOINT] [--quiet]\n\n"
     "Runs the app's broker (transport plugin zmq) with the routing table from the manifests\n"
     "until SIGINT or SIGTERM, and prints one line per broker event:\n"
     "  web  --[ users.list ]->  users                        delivered\n"
     "  web  --[ tweets create ]-[ snippets create ]->  tweets   delivered, translated\n"
     "  web  --[ users.drop ]->  (denied)                    not delivered, and why\n"
     "  users online (instance 1, HOST:PID)                  a service registered\n"
     "Services connect to the endpoint in EXO_BUS_ENDPOINT. While it runs, DIR/.exo/bus.json\n"
     "({endpoint, control, pid}) lets exo send and exo tail find it. exo run embeds the same\n"
     "broker, so use exo bus only to run services by hand.\n\n"
     "Options:\n"
     "  --app DIR          the app directory (default: the nearest application.yml at or above\n"
     "                     the current directory)\n"
     "  --listen ENDPOINT  where services connect (default: bus.listen of application.yml,\n"
     "                     tcp://127.0.0.1:0 = any free port); give a fixed port to restart\n"
     "                     the broker under running services\n"
     "  --quiet, -q        print no trace lines (exo tail still shows the traffic)\n\n"
     "Exit status: 0 stopped by a signal, 1 bad arguments, invalid app, endpoint in use or a\n"
     "broker already running for the app, 2 internal error (e.g. no zmq plugin).",
     exo_cmd_bus},
    {"send", "send one message into a running app",
     "Usage: exo send [--app DIR] --as ROLE NAME [JSON] [--wait] [--timeout MS]\n\n"
     "Sends message NAME with the optional JSON payload as role ROLE to the app's running\n"
     "broker (exo run or exo bus). ROLE's messages.sends still apply: an undeclared NAME is\n"
     "denied. The command joins as a transient instance of ROLE, which never takes a share of\n"
     "the role's load-balanced traffic, only replies in its own activity.\n\n"
     "Options:\n"
     "  --app DIR     the app directory (default: the nearest application.yml at or above)\n"
     "  --as ROLE     the role to send as (required)\n"
     "  --wait        wait for the first reply in the activity and print it as JSON:\n"
     "                {\"name\", \"id\", \"activity\", \"sender\", \"auth\", \"payload\"}\n"
     "  --timeout MS  how long --wait waits (default 5000)\n\n"
     "Example: exo send --as web users.list '{\"page\": 1}' --wait\n\n"
     "Exit status: 0 sent (and, with --wait, a reply printed), 1 no broker running, denied,\n"
     "no receiver, invalid payload or no reply within the timeout, 2 internal error.",
     exo_cmd_send},
    {"tail", "print every message the running app's bus routes",
     "Usage: exo tail [--app DIR] [--json]\n\n"
     "Connects to the app's running broker (exo run or exo bus) and prints one line per\n"
     "routed message until Ctrl-C: sender, receiver, name (both names when translated) and\n"
     "the outcome when not delivered, e.g.\n"
     "  web  --[ users.list ]->  users\n"
     "  web  --[ users.list ]->  users  (no-receiver)\n"
     "plus lines for services going online and offline.\n\n"
     "Options:\n"
     "  --app DIR  the app directory (default: the nearest application.yml at or above)\n"
     "  --json     one JSON object per event instead: {event, sender, receiver, name,\n"
     "             internal_name, id, activity, outcome, payload} (docs/protocol.md)\n\n"
     "Exit status: 0 stopped with Ctrl-C, 1 no broker running or it went away, 2 internal\n"
     "error.",
     exo_cmd_tail},
    {NULL, NULL, NULL, NULL},
};
