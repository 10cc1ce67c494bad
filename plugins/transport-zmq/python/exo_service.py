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

A nats:// endpoint (the nats transport, docs/bus-nats.md) is spoken without python3-zmq: the
NATS text protocol over a socket, with the role's contract from EXO_BUS_CONTRACT.
"""
import json
import os
import select
import socket
import struct
import sys
import time
import uuid
from urllib.parse import urlparse

try:
    import zmq
except ImportError:  # a service on a NATS bus does not need it
    zmq = None

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
        self._nats = None
        if self.endpoint.startswith("nats://"):
            self._nats = _NatsLink(self.endpoint, self.role, self._token, self.label, transient)
            return
        if zmq is None:
            raise ImportError("exo_service needs python3-zmq for the bus at %s" % self.endpoint)
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
        if self._nats is not None:
            for m in self._nats.send(name, self._next_id(), activity or self._next_id(),
                                     auth_text or None, via or "", body):
                self._nats.pending.append(m)
            return
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

    def _poll_nats(self, timeout_ms):
        msgs, first = self._nats.poll(min(timeout_ms, PING_S * 1000) / 1000.0)
        self.online = self._nats.online
        if first and not self._printed and not self.quiet:
            print("%s online" % self.role, flush=True)
        self._printed = self._printed or first
        for m in msgs:
            if self._stop:
                self._nats.pending.append(m)
                continue
            self._dispatch(m)

    def poll(self, timeout_ms=1000):
        """Wait up to timeout_ms and handle what arrived."""
        if self._nats is not None:
            return self._poll_nats(timeout_ms)
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
        if self._nats is not None:
            self._nats.close()
            return
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


# ---- the nats transport (docs/bus-nats.md) ----

_KEEP = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-")


def _escape(name):
    """A message name as one subject token: bytes other than A-Z a-z 0-9 - as _hh."""
    return "".join(chr(b) if b in _KEEP else "_%02x" % b for b in name.encode())


def _unescape(tok):
    out, i = bytearray(), 0
    while i < len(tok):
        c = tok[i]
        if ord(c) in _KEEP:
            out.append(ord(c))
            i += 1
        elif (c == "_" and len(tok) >= i + 3 and all(x in "0123456789abcdef" for x in tok[i + 1:i + 3])
              and int(tok[i + 1:i + 3], 16) not in _KEEP):
            out.append(int(tok[i + 1:i + 3], 16))
            i += 3
        else:
            return None
    return out.decode("utf-8", "replace")


class _NatsLink:
    """One connection to a NATS server as the role's user: the role's subscriptions, sends by
    its contract, the server's no-responders statuses as exo.error (docs/bus-nats.md)."""

    def __init__(self, endpoint, role, token, label, transient):
        self.role, self.token, self.label, self.transient = role, token, label, transient
        self.user = role
        text = os.environ.get("EXO_BUS_CONTRACT")
        contract = json.loads(text) if text else self._contract_from_file()
        if not contract or contract.get("role") != role:
            raise ValueError("no bus contract for role %r: a NATS bus needs EXO_BUS_CONTRACT "
                             "(exo sets it for every service on the nats transport)" % role)
        self.contract, self.app = contract, contract["app"]
        self.inst = uuid.uuid4().hex[:16]
        self.urls = [u for u in endpoint.split(",") if u]
        self.sock, self.buf = None, b""
        self.online = self.ever = False
        self.pending = []
        self.retry_at = 0.0
        self.refusal = None
        self.max_payload = 1 << 20

    def _contract_from_file(self):
        """A service started by hand: the run's user token, its role's contract from the
        broker's contracts file; it connects as ROLE~user."""
        d = os.environ.get("EXO_NATS_STATE_DIR")
        try:
            with open(os.path.join(d, "contracts.json")) as f:
                c = json.load(f).get(self.role)
        except (TypeError, OSError, ValueError):
            return None
        if c:
            self.user = self.role + "~user"
        return c

    def _subscriptions(self):
        app, role, inst = self.app, self.role, self.inst
        subs = [("exo.%s.x.%s.%s.>" % (app, role, inst), None)]
        for pub in self.contract.get("receives", {}):
            tok = _escape(pub)
            subs.append(("exo.%s.d.%s.%s.%s.*" % (app, role, inst, tok), None))
            if not self.transient:
                subs.append(("exo.%s.r.%s.%s.*" % (app, role, tok), role))
        return subs

    def _line(self, deadline):
        while b"\r\n" not in self.buf:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            data = self.sock.recv(65536)
            if not data:
                raise OSError("connection closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _connect(self):
        for url in self.urls:
            u = urlparse(url)
            try:
                self.sock, self.buf = socket.create_connection((u.hostname, u.port), 1.0), b""
                deadline = time.monotonic() + 2.0
                info = json.loads(self._line(deadline)[5:])
                self.max_payload = info.get("max_payload", 1 << 20)
                for extra in info.get("connect_urls") or []:  # the cluster's other servers
                    if "nats://" + extra not in self.urls:
                        self.urls.append("nats://" + extra)
                connect = {"user": u.username or self.user, "pass": self.token, "verbose": False,
                           "pedantic": False, "headers": True, "no_responders": True,
                           "protocol": 1, "lang": "python-exo", "name": self.label}
                out = [b"CONNECT " + json.dumps(connect).encode()]
                for i, (subj, q) in enumerate(self._subscriptions()):
                    out.append(("SUB %s %s%d" % (subj, (q + " ") if q else "", i + 1)).encode())
                self.sock.sendall(b"\r\n".join(out + [b"PING", b""]))
                while True:
                    line = self._line(deadline)
                    if line == b"PONG":
                        break
                    if line.startswith(b"-ERR"):
                        raise OSError(line.decode())
                self._presence(False)
                self.sock.setblocking(False)
                self.online, self.refusal = True, None
                first, self.ever = not self.ever, True
                return first
            except (OSError, ValueError) as e:
                self.refusal = str(e)
                self._drop()
        return False

    def _presence(self, bye):
        """The instance's presence for exo's observer (register / unregister events)."""
        cred = "user" if self.user.endswith("~user") else "role"
        body = {"instance": self.inst, "bye": True} if bye else {
            "instance": self.inst, "label": self.label, "transient": self.transient}
        data = json.dumps(body).encode()
        self.sock.sendall(("PUB exo.%s.p.%s.%s %d\r\n" % (self.app, self.role, cred, len(data)))
                          .encode() + data + b"\r\n")

    def _drop(self):
        if self.sock is not None:
            self.sock.close()
        self.sock, self.online = None, False

    def poll(self, timeout_s):
        """(messages, first time online)."""
        first = False
        if self.sock is None:
            now = time.monotonic()
            if now < self.retry_at:
                time.sleep(min(timeout_s, self.retry_at - now))
                return self._take(), False
            self.retry_at = now + 0.1
            first = self._connect()
            if self.sock is None:
                return self._take(), False
        if not self.pending:
            try:
                ready, _, _ = select.select([self.sock], [], [], timeout_s)
                if ready:
                    data = self.sock.recv(1 << 20)
                    if not data:
                        raise OSError("connection closed")
                    self.buf += data
            except OSError:
                self._drop()
        self._parse()
        return self._take(), first

    def _take(self):
        msgs, self.pending = self.pending, []
        return msgs

    def _parse(self):
        while b"\r\n" in self.buf:
            line, rest = self.buf.split(b"\r\n", 1)
            if line.startswith(b"MSG ") or line.startswith(b"HMSG "):
                parts = line.decode().split(" ")
                total = int(parts[-1])
                if len(rest) < total + 2:
                    return
                data, self.buf = rest[:total], rest[total + 2:]
                hlen = int(parts[-2]) if parts[0] == "HMSG" else 0
                m = self._message(parts[1], data[:hlen], data[hlen:])
                if m is not None:
                    self.pending.append(m)
                continue
            self.buf = rest
            if line == b"PING" and self.sock is not None:
                self.sock.sendall(b"PONG\r\n")
            elif line.startswith(b"-ERR") and b"Permissions Violation" in line:
                self.pending.append(self._error("-", "denied", "", line.decode()[6:-1], []))

    def _message(self, subject, head, body):
        lines = head.decode("utf-8", "replace").split("\r\n")
        h = dict(l.split(":", 1) for l in lines[1:] if ":" in l)
        h = {k.strip(): v.strip() for k, v in h.items()}
        t = subject.split(".")
        if len(t) == 7 and t[2] == "x" and lines and lines[0].startswith("NATS/1.0 503"):
            act = _unescape(t[6]) or "-"
            return self._error(act, "no-receiver", "", "no instance of role '%s' is connected "
                               "to receive it" % t[5], [t[5]])
        if len(t) not in (6, 7) or t[2] not in ("r", "d") or "Exo-Id" not in h:
            return None
        public = _unescape(t[4] if len(t) == 6 else t[5])
        if public is None:
            return None
        name = self.contract.get("receives", {}).get(public, public)
        return Message(name, h["Exo-Id"], h.get("Exo-Activity", "-"), t[-1], h.get("Exo-Auth"),
                       body, h.get("Exo-Via", ""))

    def _error(self, activity, kind, name, text, roles):
        p = {"error": kind, "name": name, "message": text, "roles": roles, "delivered": 0}
        return Message("exo.error", uuid.uuid4().hex, activity, "exo", None,
                       json.dumps(p).encode(), "")

    def send(self, name, id, activity, auth, via, body):
        """Publish by the contract; returns the exo.errors it decided itself."""
        send = self.contract.get("sends", {}).get(name)
        if send is None:
            return [self._error(activity, "denied", name, "role '%s' does not declare '%s' in "
                                "its sends" % (self.role, name), [])]
        if not send["to"]:
            return [self._error(activity, "no-receiver", name, "no role receives %r"
                                % send["public"], [])]
        stamps = [s for s in via.split(",") if s and not s.startswith(self.role + ".")]
        via_out = ",".join(stamps + ["%s.%s" % (self.role, self.inst)])
        tok = _escape(send["public"])
        head = "NATS/1.0\r\nExo-Id: %s\r\nExo-Activity: %s\r\nExo-Via: %s\r\n" % (
            id, activity, via_out)
        if auth:
            head += "Exo-Auth: %s\r\n" % auth
        hb = (head + "\r\n").encode()
        if len(hb) + len(body) > self.max_payload:  # the server would close the connection
            return [self._error(activity, "too-large", name, "%d bytes are more than the bus's "
                                "max message size (%d)" % (len(hb) + len(body), self.max_payload),
                                [])]
        out = []
        for recv in send["to"]:
            inst = next((s.split(".", 1)[1] for s in stamps if s.startswith(recv + ".")), None)
            subj = ("exo.%s.d.%s.%s.%s.%s" % (self.app, recv, inst, tok, self.role) if inst
                    else "exo.%s.r.%s.%s.%s" % (self.app, recv, tok, self.role))
            reply = "exo.%s.x.%s.%s.%s.%s" % (self.app, self.role, self.inst, recv,
                                              _escape(activity))
            out.append(("HPUB %s %s %d %d\r\n" % (subj, reply, len(hb), len(hb) + len(body)))
                       .encode() + hb + body + b"\r\n")
        self.sock.setblocking(True)
        try:
            self.sock.sendall(b"".join(out))
        finally:
            self.sock.setblocking(False)
        return []

    def close(self):
        if self.sock is not None and self.online:
            try:
                self.sock.setblocking(True)
                self._presence(True)
                self.sock.sendall(b"PING\r\n")
            except OSError:
                pass
        self._drop()
