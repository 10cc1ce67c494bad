"""sticky.py ENDPOINT TSVC: finding 2 of issue 18. Two instances of web (A and B); A sends 20
requests that users holds; 20,000 new activities flow to web from feed; then users answers the
20. Prints "A=<replies at A> B=<replies at B> errors=<bus errors at A>". The clients register
with $EXO_BUS_TOKEN."""
import os
import subprocess
import sys
import time

import exo_service

ep, tsvc = sys.argv[1], sys.argv[2]

svcs = {n: exo_service.Service(role=r, endpoint=ep, label=n, quiet=True)
        for n, r in (("A", "web"), ("B", "web"), ("U", "users"))}
got = {"A": 0, "B": 0, "errA": 0, "ticks": 0}
held = []
svcs["U"].on("users.get", lambda m: held.append(m))
for n in ("A", "B"):
    svcs[n].on("users.got", lambda m, n=n: got.__setitem__(n, got[n] + 1))
    svcs[n].on("tick", lambda m: got.__setitem__("ticks", got["ticks"] + 1))
svcs["A"].on("exo.error", lambda m: got.__setitem__("errA", got["errA"] + 1))


def poll_all(ms=10):
    for s in svcs.values():
        s.poll(ms)


def until(cond, secs, what):
    end = time.monotonic() + secs
    while not cond():
        if time.monotonic() > end:
            sys.exit("timed out: " + what + " " + repr(got) + " held=%d" % len(held))
        poll_all()


until(lambda: all(s.online for s in svcs.values()), 10, "registration")
for i in range(20):
    svcs["A"].send("users.get", {"i": i})
until(lambda: len(held) == 20, 10, "users holds 20 requests")
env = dict(os.environ, EXO_ROLE="feed", EXO_BUS_ENDPOINT=ep)
flood = subprocess.Popen([tsvc, "--flood", "tick", "20000"], env=env, stdout=subprocess.PIPE)
until(lambda: got["ticks"] >= 20000, 40, "20,000 ticks reach web")
flood.wait()
for m in held:
    svcs["U"].reply(m, "users.got", {"ok": True})
end = time.monotonic() + 2
while time.monotonic() < end and got["A"] + got["B"] + got["errA"] < 20:
    poll_all()
print("A=%d B=%d errors=%d" % (got["A"], got["B"], got["errA"]))
for s in svcs.values():
    s.close()
