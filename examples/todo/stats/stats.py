"""stats - counts the to-dos created in the app (it receives every todo.created, like the
front end does) and answers stats.get with stats.report."""
import exo_service


class Counter:
    def __init__(self):
        self.created = 0
        self.last = None

    def count(self, item):
        if isinstance(item, dict) and "id" in item:
            self.created += 1
            self.last = item.get("text")

    def report(self):
        return {"todos_created": self.created, "last": self.last}


def main():
    svc = exo_service.Service()
    counter = Counter()

    @svc.on("todo.created")
    def on_created(msg):
        counter.count(msg.payload)
        print("counted a new to-do: %d so far" % counter.created, flush=True)

    @svc.on("stats.get")
    def on_get(msg):
        svc.reply(msg, "stats.report", counter.report())

    svc.run()


if __name__ == "__main__":
    main()
