"""Unit tests of {{role}}'s handlers: no bus, no running app."""
import unittest

import handlers


class PingTest(unittest.TestCase):
    def test_ping_answers_pong_with_the_payload(self):
        self.assertEqual(handlers.handle_message("ping", {"n": 42}), ("pong", {"n": 42}))

    def test_ping_without_payload(self):
        self.assertEqual(handlers.handle_message("ping", None), ("pong", None))

    def test_unknown_message_is_not_handled(self):
        with self.assertRaises(KeyError):
            handlers.handle_message("no such message", {})

    def test_every_handler_is_callable(self):
        for name, fn in handlers.HANDLERS.items():
            self.assertTrue(callable(fn), name)


if __name__ == "__main__":
    unittest.main()
