"""{{role}} on the bus: connect with what exo passes in the environment (EXO_ROLE,
EXO_BUS_ENDPOINT) and hand every received message to handlers.py."""
import sys

import exo_service

import handlers


def main():
    service = exo_service.Service()  # prints "{{role}} online" once registered

    def dispatch(message):
        try:
            reply = handlers.handle_message(message.name, message.payload)
        except KeyError:
            print("{{role}}: no handler for %r" % message.name, file=sys.stderr, flush=True)
            return
        if reply is not None:
            name, payload = reply
            service.reply(message, name, payload)

    service.on(None, dispatch)  # every message; handlers.py picks by name
    service.run()  # until SIGTERM or SIGINT
    service.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
