"""{{role}} on the bus: connect with what exo passes in the environment (EXO_ROLE, EXO_APP,
EXO_BUS_ENDPOINT) and hand every received message to handlers.py."""
import sys

import exo_service

import handlers


def main():
    service = exo_service.Service.from_env()

    def dispatch(message):
        reply = handlers.handle_message(message.name, message.payload)
        if reply is not None:
            name, payload = reply
            service.reply(message, name, payload)

    for name in handlers.HANDLERS:
        service.on(name, dispatch)
    return service.run()


if __name__ == "__main__":
    sys.exit(main())
