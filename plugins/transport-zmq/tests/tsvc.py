"""tsvc.py - the Python test service: same output as tsvc (C).
   tsvc.py [--label L] [--reply IN=OUT]... [--request NAME TIMEOUT_MS]"""
import sys
import exo_service

args = sys.argv[1:]
label, replies, req = "py", {}, None
while args:
    a = args.pop(0)
    if a == "--label":
        label = args.pop(0)
    elif a == "--reply":
        k, v = args.pop(0).split("=", 1)
        replies[k] = v
    elif a == "--request":
        req = (args.pop(0), int(args.pop(0)))

svc = exo_service.Service(label=label)


def handle(msg):
    print("got %s from %s activity %s payload %s" % (
        msg.name, msg.sender, msg.activity,
        msg.raw_payload.decode() if msg.raw_payload else "null"), flush=True)
    if msg.name in replies:
        svc.reply(msg, replies[msg.name], {"by": label, "echo": msg.payload})


svc.on(None, handle)
if req:
    svc.wait_online()
    try:
        r = svc.request(req[0], {"from": label}, req[1])
        print("reply %s from %s payload %s" % (r.name, r.sender, r.raw_payload.decode()))
        rc = 0
    except (exo_service.BusError, exo_service.Timeout) as e:
        print("request failed: %s" % e)
        rc = 1
    svc.close()
    sys.exit(rc)
svc.run()
svc.close()
