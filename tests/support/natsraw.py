"""natsraw - a raw NATS text-protocol client for tests (CONNECT, PUB/HPUB, SUB, MSG/HMSG,
PING/PONG): a client that bypasses exo's SDKs, to show what nats-server itself enforces."""
import json
import socket
import time
from urllib.parse import urlparse


class NatsError(Exception):
    pass


class Conn:
    def __init__(self, url, user, password, timeout=5.0):
        u = urlparse(url)
        self.sock = socket.create_connection((u.hostname, u.port), timeout=timeout)
        self.buf = b""
        self.msgs = []
        self.errors = []
        self.sid = 0
        line = self._line()
        if not line.startswith(b"INFO "):
            raise NatsError("no INFO: %r" % line)
        connect = {"user": user, "pass": password, "verbose": False, "pedantic": False,
                   "headers": True, "no_responders": True, "protocol": 1, "lang": "test"}
        # CONNECT and PING in one write: a server that refuses the CONNECT closes at once, and
        # a PING sent after that would turn its -ERR into a connection reset.
        try:
            errs = self.ping(prefix=b"CONNECT " + json.dumps(connect).encode() + b"\r\n")
        except (NatsError, OSError) as e:
            raise NatsError(self.errors[0] if self.errors else str(e))
        if errs:
            raise NatsError(errs[0])

    def _fill(self, deadline):
        self.sock.settimeout(max(0.01, deadline - time.time()))
        data = self.sock.recv(65536)
        if not data:
            raise NatsError("connection closed")
        self.buf += data

    def _line(self, deadline=None):
        deadline = deadline or time.time() + 5
        while b"\r\n" not in self.buf:
            self._fill(deadline)
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _bytes(self, n, deadline):
        while len(self.buf) < n + 2:
            self._fill(deadline)
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def _read_one(self, deadline):
        """One protocol line and what follows it; returns 'PONG', or None after other ones."""
        line = self._line(deadline)
        if line == b"PONG":
            return "PONG"
        if line == b"PING":
            self.sock.sendall(b"PONG\r\n")
        elif line.startswith(b"-ERR"):
            self.errors.append(line.decode())
        elif line.startswith(b"MSG ") or line.startswith(b"HMSG "):
            parts = line.decode().split(" ")
            hmsg = parts[0] == "HMSG"
            subject = parts[1]
            total = int(parts[-1])
            hlen = int(parts[-2]) if hmsg else 0
            reply = parts[3] if len(parts) == (6 if hmsg else 5) else None
            data = self._bytes(total, deadline)
            headers, status = {}, None
            if hmsg:
                hlines = data[:hlen].decode().split("\r\n")
                status = hlines[0][len("NATS/1.0"):].strip() or None
                for h in hlines[1:]:
                    if ":" in h:
                        k, v = h.split(":", 1)
                        headers[k.strip()] = v.strip()
            self.msgs.append({"subject": subject, "reply": reply, "headers": headers,
                              "status": status, "data": data[hlen:]})
        return None

    def ping(self, timeout=5, prefix=b""):
        """Round trip; the -ERR lines the server sent meanwhile (messages are kept)."""
        before = len(self.errors)
        self.sock.sendall(prefix + b"PING\r\n")
        deadline = time.time() + timeout
        while self._read_one(deadline) != "PONG":
            pass
        return self.errors[before:]

    def sub(self, subject, queue=None):
        self.sid += 1
        q = (" " + queue) if queue else ""
        self.sock.sendall(("SUB %s%s %d\r\n" % (subject, q, self.sid)).encode())
        return self.ping()

    def pub(self, subject, data=b"", headers=None, reply=None):
        r = (" " + reply) if reply else ""
        if headers is None:
            self.sock.sendall(("PUB %s%s %d\r\n" % (subject, r, len(data))).encode() + data +
                              b"\r\n")
        else:
            h = "NATS/1.0\r\n" + "".join("%s: %s\r\n" % kv for kv in headers.items()) + "\r\n"
            hb = h.encode()
            self.sock.sendall(("HPUB %s%s %d %d\r\n" % (subject, r, len(hb), len(hb) + len(data)))
                              .encode() + hb + data + b"\r\n")
        return self.ping()

    def next_msg(self, timeout=5):
        deadline = time.time() + timeout
        while not self.msgs:
            if time.time() > deadline:
                return None
            try:
                self._read_one(deadline)
            except socket.timeout:
                return None
        return self.msgs.pop(0)

    def close(self):
        self.sock.close()
