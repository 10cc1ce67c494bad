"""rawclient.py MODE ENDPOINT [ROLE]: hostile clients on a bare ZeroMQ DEALER (issue 18).
  receiver EP ROLE   register as ROLE, keep pinging, never read (prints "registered")
  tail CTL           ask for tail events every second, never read (prints "tailing"); on
                     SIGUSR1 read what comes for 2 s and print "events N dropped D" (the
                     counts of the broker's {"event": "dropped"} notices)
  idle EP N          open N connections that never register, print "open N", then hold them
The credential is $EXO_BUS_TOKEN (register, tail). Runs until killed."""
import os
import struct
import sys
import time

import zmq


def head(kind, *fields):
    out = bytearray((4, ord(kind)))
    for f in fields:
        b = f.encode()
        out += struct.pack(">H", len(b)) + b
    return bytes(out)


mode, ep = sys.argv[1], sys.argv[2]
import resource
_soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (_hard, _hard))
ctx = zmq.Context()
ctx.set(zmq.MAX_SOCKETS, 8192)
if mode == "idle":
    n = int(sys.argv[3])
    socks = []
    for i in range(n):
        s = ctx.socket(zmq.DEALER)
        s.setsockopt(zmq.LINGER, 0)
        s.connect(ep)
        socks.append(s)
    print("open %d" % n, flush=True)
    while True:
        time.sleep(1)
s = ctx.socket(zmq.DEALER)
s.setsockopt(zmq.LINGER, 0)
s.setsockopt(zmq.RCVHWM, 1)
s.setsockopt(zmq.RCVBUF, 4096)
s.connect(ep)
if mode == "receiver":
    s.send(head("R", sys.argv[3], "never-reads", "", os.environ.get("EXO_BUS_TOKEN", "")))
    s.setsockopt(zmq.RCVTIMEO, 3000)
    s.recv()  # the 'A'; from now on nothing is read
    print("registered", flush=True)
    while True:
        s.send(head("P"), zmq.NOBLOCK)
        time.sleep(1)
elif mode == "tail":
    import json
    import signal
    wake = []
    signal.signal(signal.SIGUSR1, lambda *_: wake.append(1))
    tail_req = b"tail " + os.environ.get("EXO_BUS_TOKEN", "").encode()
    s.send(tail_req)
    print("tailing", flush=True)
    while not wake:
        time.sleep(0.5)
        try:
            s.send(tail_req, zmq.NOBLOCK)
        except zmq.Again:
            pass
    events = dropped = 0
    s.setsockopt(zmq.RCVTIMEO, 2000)
    try:
        while True:
            f = s.recv()
            if f.startswith(b"{"):
                ev = json.loads(f)
                events += 1
                dropped += ev.get("count", 0) if ev.get("event") == "dropped" else 0
    except zmq.Again:
        pass
    print("events %d dropped %d" % (events, dropped), flush=True)
