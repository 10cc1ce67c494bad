"""exo_service - connect a Python service to the exo message bus (Debian's python3-zmq).

    import exo_service

    svc = exo_service.Service()            # EXO_ROLE, EXO_BUS_ENDPOINT, EXO_BUS_TOKEN

    @svc.on("users.list")
    def users_list(msg):
        svc.reply(msg, "users.listed", [])

    svc.run()

Prints "ROLE online" once the broker acknowledged the registration (use it as online-text),
re-registers on its own after a broker restart or a stall. A BusError('not-registered') from a
send in a handler (the broker dropped the service meanwhile) is reported on stderr and does not
end run(). The registration carries EXO_BUS_TOKEN (or token=...): the role's secret exo gives
the unit, or the run's user token; without a valid one the broker refuses it
(docs/security.md). Wire format: docs/protocol.md; semantics: docs/bus.md. One Service
belongs to one thread.
"""
import json
import os
import socket
import struct
import sys
import time
import uuid

import zmq

__all__ = ["Service", "Message", "BusError", "Timeout"]

VERSION = 5
# Protocol 5: the broker may send a batch, one zmq frame [5, "K"] followed by frames, each a
# u32 length (big endian) and an ordinary frame. This client reads batches and sends single
# frames (which the broker takes as before).
BATCH = ord("K")
# Fields per frame type; an "M" frame carries its payload after its six fields (name, id,
# activity, sender, auth, via); an "R" carries role, label, flags and (protocol 4) the
# credential: the role's secret exo hands the unit, or the run's user token.
_FIELDS = {"R": 4, "A": 2, "M": 6, "N": 1, "P": 0, "O": 0, "B": 0}
PING_S = 1.0
DEAD_S = 3.0


class BusError(Exception):
    """The broker refused a message (denied, no-receiver, too-large, ...)."""

    def __init__(self, kind, message, payload=None):
        super().__init__("the bus refused the message (%s): %s" % (kind, message))
        self.kind = kind
        self.payload = payload or {}


class Timeout(Exception):
    """No reply within the timeout."""


class Message:
    """A received message. payload and auth are decoded JSON (None when absent)."""

    __slots__ = ("name", "id", "activity", "sender", "auth", "payload", "raw_payload", "via")

    def __init__(self, name, id, activity, sender, auth, raw_payload, via=""):
        self.name, self.id, self.activity, self.sender = name, id, activity, sender
        self.via = via  # the broker's way back to the instances of this chain; replies copy it
        self.auth = _loads(auth)
        self.raw_payload = raw_payload
        self.payload = _loads(raw_payload)

    def __repr__(self):
        return "Message(%r from %r, activity %r)" % (self.name, self.sender, self.activity)


def _loads(text):
    """JSON text -> value; None when absent or not JSON (the bus does not check payloads)."""
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _head(kind, *fields):
    out = bytearray((VERSION, ord(kind)))
    for f in fields:
        b = f.encode() if isinstance(f, str) else (f or b"")
        out += struct.pack(">H", len(b)) + b
    return bytes(out)


def _unbatch(frame):
    """A frame from the broker -> the frames it carries (itself when it is not a batch); a
    bad length ends the batch."""
    if len(frame) < 2 or frame[0] != VERSION or frame[1] != BATCH:
        return [frame]
    out, pos = [], 2
    while pos + 4 <= len(frame):
        (n,) = struct.unpack_from(">I", frame, pos)
        if n == 0 or pos + 4 + n > len(frame):
            break
        out.append(frame[pos + 4:pos + 4 + n])
        pos += 4 + n
    return out


def _decode(frame):
    """frame -> (type, fields, payload bytes); type None when the frame is not readable."""
    if len(frame) < 2 or frame[0] != VERSION or chr(frame[1]) not in _FIELDS:
        return None, [], b""
    kind = chr(frame[1])
    fields, pos = [], 2
    for _ in range(_FIELDS[kind]):
        if pos + 2 > len(frame):
            return None, [], b""
        (n,) = struct.unpack_from(">H", frame, pos)
        if pos + 2 + n > len(frame):
            return None, [], b""
        fields.append(frame[pos + 2:pos + 2 + n].decode("utf-8", "replace"))
        pos += 2 + n
    return kind, fields, bytes(frame[pos:])


class Service:
    def __init__(self, role=None, endpoint=None, label=None, transient=False, quiet=False,
                 token=None):
        self.role = role or os.environ.get("EXO_ROLE")
        self.endpoint = endpoint or os.environ.get("EXO_BUS_ENDPOINT")
        # The registration's credential (docs/security.md); exo sets EXO_BUS_TOKEN.
        self._token = token or os.environ.get("EXO_BUS_TOKEN", "")
        if not self.role:
            raise ValueError("no role: set EXO_ROLE (exo does this for every service)")
        if not self.endpoint:
            raise ValueError("no bus endpoint: set EXO_BUS_ENDPOINT (exo does this)")
        self.label = label or "%s:%d" % (socket.gethostname(), os.getpid())
        self.transient, self.quiet = transient, quiet
        self.online = False
        self._printed = False
        self._handlers = {}
        self._current = None
        self._waiting = {}
        self._stop = False
        self._prefix = uuid.uuid4().hex[:9] + "-"
        self._seq = 0
        self._ctx = zmq.Context()
        self._sock = self._ctx.socket(zmq.DEALER)
        self._sock.setsockopt(zmq.LINGER, 0)
        self._sock.setsockopt(zmq.RECONNECT_IVL, 100)
        self._sock.setsockopt(zmq.RECONNECT_IVL_MAX, 500)
        self._mon = self._sock.get_monitor_socket(zmq.EVENT_HANDSHAKE_SUCCEEDED)
        self._sock.connect(self.endpoint)
        self._heard = self._pinged = time.monotonic()
        self._poller = zmq.Poller()
        self._poller.register(self._sock, zmq.POLLIN)
        self._poller.register(self._mon, zmq.POLLIN)

    # ---- handlers and sending ----
    def on(self, name, fn=None):
        """Register fn(msg) for name (None: every message without its own handler).
        Usable as a decorator: @svc.on("users.list")."""
        if fn is None:
            return lambda f: self.on(name, f) or f
        self._handlers[name] = fn
        return fn

    def _next_id(self):
        self._seq += 1
        return "%s%x" % (self._prefix, self._seq)

    def _send(self, name, payload, activity, auth, via=""):
        if not self.online:
            why = ("lost its registration (a stall or a broker restart); it re-registers at its "
                   "next ping" if self._printed else "is not registered (yet)")
            raise BusError("not-registered", "%s %s with the bus at %s"
                           % (self.role, why, self.endpoint))
        body = b"" if payload is None else json.dumps(payload, separators=(",", ":")).encode()
        auth_text = "" if auth is None else json.dumps(auth, separators=(",", ":"))
        head = _head("M", name, self._next_id(), activity or self._next_id(), "", auth_text,
                     via or "")
        self._sock.send(head + body)

    def send(self, name, payload=None, activity=None, auth=None):
        """Send name; inside a handler it joins the handled message's activity and auth.
        activity/auth given explicitly (bridges, tools) override that."""
        cur = self._current
        if activity is None and cur is not None:
            activity = cur.activity
        if auth is None and cur is not None:
            auth = cur.auth
        # Within the handled message's activity, keep its way back; another activity is new.
        via = cur.via if cur is not None and activity == cur.activity else ""
        self._send(name, payload, activity, auth, via)

    def reply(self, to, name, payload=None):
        """Send name in the activity of message `to`, with its auth."""
        self._send(name, payload, to.activity, to.auth, to.via)

    def request(self, name, payload=None, timeout_ms=5000):
        """Send name in a new activity and return the first Message of that activity.
        Raises Timeout, or BusError when the broker refused it."""
        activity = self._next_id()
        cur = self._current
        self._send(name, payload, activity, cur.auth if cur else None)
        slot = self._waiting[activity] = []
        deadline = time.monotonic() + timeout_ms / 1000.0
        try:
            while not slot and not self._stop:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Timeout("no reply to %r within %d ms" % (name, timeout_ms))
                self.poll(left * 1000)
            if not slot:
                raise Timeout("stopped while waiting for a reply to %r" % name)
            if isinstance(slot[0], BusError):
                raise slot[0]
            return slot[0]
        finally:
            del self._waiting[activity]

    # ---- loop ----
    def _register(self):
        self._sock.send(_head("R", self.role, self.label, "transient" if self.transient else "",
                              self._token))
        self._pinged = time.monotonic()

    def _dispatch(self, msg):
        slot = self._waiting.get(msg.activity)
        if slot is not None and not slot:
            if msg.sender == "exo" and msg.name == "exo.error":
                p = msg.payload or {}
                if not (p.get("error") == "no-receiver" and p.get("delivered", 0) > 0):
                    slot.append(BusError(p.get("error"), p.get("message"), p))
                    return
            else:
                slot.append(msg)
                return
        fn = self._handlers.get(msg.name) or (
            None if msg.name == "exo.error" else self._handlers.get(None))
        if fn is None:
            if msg.name == "exo.error":
                sys.stderr.write("%s: bus error: %s\n" % (self.role, msg.raw_payload.decode()))
            else:
                sys.stderr.write("%s: no handler for message %r\n" % (self.role, msg.name))
            return
        saved, self._current = self._current, msg
        try:
            fn(msg)
        except BusError as e:
            # A handler's send after the broker dropped this service (stopped or stalled past
            # its 3.5 s expiry): the bus buffers nothing, so that message is lost; the service
            # is not. It re-registers at its next ping and handles what comes next.
            if e.kind != "not-registered":
                raise
            sys.stderr.write("%s: %r not handled to the end: %s\n" % (self.role, msg.name, e))
            sys.stderr.flush()
        finally:
            self._current = saved

    def _handle(self, frames):
        if len(frames) != 1:
            return
        for frame in _unbatch(frames[0]):
            self._handle_frame(frame)

    def _handle_frame(self, frame):
        kind, f, payload = _decode(frame)
        if kind == "A":
            self.online = True
            if not self._printed and not self.quiet:
                print("%s online" % self.role, flush=True)
            self._printed = True
        elif kind == "O":
            self.online = True  # pongs go only to registered connections
        elif kind == "N":
            self.online = False
            self._register()
        elif kind == "M":
            self._dispatch(Message(f[0], f[1], f[2], f[3], f[4], payload, f[5]))

    def poll(self, timeout_ms=1000):
        """Wait up to timeout_ms and handle what arrived."""
        events = dict(self._poller.poll(min(timeout_ms, PING_S * 1000)))
        if self._mon in events:
            while True:
                try:
                    ev = self._mon.recv_multipart(zmq.NOBLOCK)
                except zmq.Again:
                    break
                if struct.unpack_from("=H", ev[0])[0] == zmq.EVENT_HANDSHAKE_SUCCEEDED:
                    self._register()
        if self._sock in events:
            while not self._stop:
                try:
                    frames = self._sock.recv_multipart(zmq.NOBLOCK)
                except zmq.Again:
                    break
                self._heard = time.monotonic()
                self._handle(frames)
        now = time.monotonic()
        # Ping on our own schedule, however busy the broker keeps us: it expires an instance
        # after 3.5 s without a frame from it, and a receive-only service sends nothing else.
        if now - self._pinged >= PING_S:
            self._sock.send(_head("P"))
            self._pinged = now
        if self.online and now - self._heard > DEAD_S:
            self.online = False

    def wait_online(self, timeout_ms=10000):
        deadline = time.monotonic() + timeout_ms / 1000.0
        while not self.online and time.monotonic() < deadline:
            self.poll(100)
        return self.online

    def run(self):
        """Handle messages until stop() (or SIGINT/SIGTERM)."""
        import signal
        for s in (signal.SIGINT, signal.SIGTERM):
            signal.signal(s, lambda *_: self.stop())
        self._stop = False
        while not self._stop:
            self.poll(PING_S * 1000)

    def stop(self):
        self._stop = True

    def close(self):
        if self.online:
            try:
                self._sock.setsockopt(zmq.LINGER, 200)
                self._sock.send(_head("B"), zmq.NOBLOCK)
            except zmq.ZMQError:
                pass
        self._sock.disable_monitor()
        self._mon.close(0)
        self._sock.close()
        self._ctx.term()
