"""web - the front end's place in the app: it may send todo.create, todo.list and stats.get,
and logs every reply that reaches it."""
import json

import exo_service

svc = exo_service.Service()


@svc.on(None)
def on_any(msg):
    print("web got %s: %s" % (msg.name, json.dumps(msg.payload)), flush=True)


svc.run()
