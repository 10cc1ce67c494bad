import unittest

from stats import Counter


class CounterTest(unittest.TestCase):
    def test_counts_items_only(self):
        c = Counter()
        c.count({"id": 1, "text": "a"})
        c.count({"error": "no text"})
        c.count({"id": 2, "text": "b"})
        self.assertEqual(c.report(), {"todos_created": 2, "last": "b"})


if __name__ == "__main__":
    unittest.main()
