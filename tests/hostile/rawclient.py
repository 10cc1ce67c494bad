"""rawclient.py MODE ENDPOINT [ROLE]: hostile clients on a bare ZeroMQ DEALER (issue 18).
  receiver EP ROLE   register as ROLE, keep pinging, never read (prints "registered")
  tail CTL           ask for tail events every second, never read (prints "tailing"); on
                     SIGUSR1 read what comes for 2 s and print "events N dropped D" (the
                     counts of the broker's {"event": "dropped"} notices)
  idle EP N          open N connections that never register, print "open N", then hold them
  rogue EP ROLE CRED NAME [ID]
                     register as ROLE with the credential CRED ("-": none), with the ZeroMQ
                     routing id ID when given; print "registered" or "refused KIND: MESSAGE";
                     then send NAME ({"rogue": true}) anyway and print "received N" for what
                     came in the next second other than the broker's errors; exits
  control CTL REQUEST
                     send REQUEST to the control socket, print the answer (or "silence"); exits
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
if mode == "rogue" and len(sys.argv) > 6:
    s.setsockopt(zmq.ROUTING_ID, sys.argv[6].encode())
s.setsockopt(zmq.RCVHWM, 1)
s.setsockopt(zmq.RCVBUF, 4096)
s.connect(ep)
if mode == "rogue":
    import json
    role, cred, name = sys.argv[3], sys.argv[4], sys.argv[5]
    s.send(head("R", role, "rogue", "", "" if cred == "-" else cred))
    s.setsockopt(zmq.RCVTIMEO, 3000)

    def parse(frame):
        """(type, fields, payload) of a protocol 4 frame from the broker"""
        n = {"A": 2, "M": 6, "N": 1}.get(chr(frame[1]), 0)
        fields, pos = [], 2
        for _ in range(n):
            (k,) = struct.unpack_from(">H", frame, pos)
            fields.append(frame[pos + 2:pos + 2 + k].decode())
            pos += 2 + k
        return chr(frame[1]), fields, frame[pos:]
    kind, f, payload = parse(s.recv())
    if kind == "A":
        print("registered", flush=True)
    else:
        p = json.loads(payload)
        print("refused %s: %s" % (p["error"], p["message"]), flush=True)
    s.send(head("M", name, "rogue-1", "rogue-act", "", "", "") + b'{"rogue": true}')
    s.setsockopt(zmq.RCVTIMEO, 1000)
    received = 0
    try:
        while True:
            kind, f, payload = parse(s.recv())
            received += kind == "M" and f[0] != "exo.error"
    except zmq.Again:
        pass
    print("received %d" % received, flush=True)
    sys.exit(0)
if mode == "control":
    s.send(sys.argv[3].encode())
    s.setsockopt(zmq.RCVTIMEO, 3000)
    try:
        print(s.recv().decode(errors="replace"), flush=True)
    except zmq.Again:
        print("silence", flush=True)
    sys.exit(0)
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
