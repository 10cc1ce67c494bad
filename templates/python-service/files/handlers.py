"""What {{role}} does with each message it receives.

No bus code here, so tests/test_handlers.py can call the handlers directly. A handler takes
the message payload (decoded JSON, or None) and returns (reply_name, reply_payload), or None
when there is nothing to reply.
"""


def ping(payload):
    """ping -> pong, carrying the ping's payload back so the sender can match them up."""
    return "pong", payload


HANDLERS = {
    "ping": ping,
}


def handle_message(name, payload):
    """Return the reply to message `name`, None for no reply; KeyError if not handled."""
    return HANDLERS[name](payload)
