"""{{role}}: joins the bus and idles. `exo send --as {{role}} NAME ...` sends as this role (the
bus only delivers what messages.sends declares), and replies come back to exo send. Messages
that reach this process itself are printed."""
import sys

import exo_service


def main():
    service = exo_service.Service()  # prints "{{role}} online" once registered

    def show(message):
        print("{{role}}: got %s from %s: %s" % (message.name, message.sender,
                                                message.raw_payload.decode()
                                                if message.raw_payload else "null"),
              flush=True)

    service.on(None, show)
    service.run()  # until SIGTERM or SIGINT
    service.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
