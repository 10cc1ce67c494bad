// tests/websocket/wsclient.mjs - a minimal RFC 6455 client over node's `net`, written for the
// tests (node 20 has no WebSocket client): the opening handshake with any headers, text and
// raw frames (also malformed ones, for the hostile tests), fragmentation, ping/pong, close.
// `WebSocket` below is the browser API on top of it, so that exo.js runs unchanged in node.
import { createHash, randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import net from "node:net";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** Open a WebSocket. Resolves with a Conn, rejects with an Error whose .status is the HTTP
 *  status the server answered instead of 101 (0: no answer). */
export function wsConnect(url, opts = {}) {
  const u = new URL(url);
  const key = randomBytes(16).toString("base64");
  const headers = {
    Host: u.host,
    Upgrade: "websocket",
    Connection: "Upgrade",
    "Sec-WebSocket-Key": key,
    "Sec-WebSocket-Version": "13",
    ...(opts.protocol === null ? {} : { "Sec-WebSocket-Protocol": opts.protocol || "exo.v1" }),
    ...(opts.origin === null ? {} : { Origin: opts.origin || `http://${u.host}` }),
    ...(opts.headers || {}),
  };
  const request = `GET ${u.pathname}${u.search} HTTP/1.1\r\n` +
    Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("") + "\r\n";
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: u.hostname, port: Number(u.port) });
    let buf = Buffer.alloc(0);
    const fail = (status, why) => {
      sock.destroy();
      const e = new Error(why);
      e.status = status;
      reject(e);
    };
    sock.setTimeout(opts.handshakeTimeout ?? 10000, () => fail(0, "handshake timed out"));
    sock.on("error", (e) => fail(0, e.message));
    sock.on("close", () => fail(0, "closed during the handshake"));
    sock.on("connect", () => sock.write(request));
    const onData = (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = buf.subarray(0, end).toString("latin1").split("\r\n");
      const status = Number(head[0].split(" ")[1]);
      if (status !== 101) return fail(status, `HTTP ${head[0]}`);
      const h = Object.fromEntries(head.slice(1).map((l) => {
        const i = l.indexOf(":");
        return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()];
      }));
      const accept = createHash("sha1").update(key + GUID).digest("base64");
      if (h["sec-websocket-accept"] !== accept) return fail(status, "bad Sec-WebSocket-Accept");
      sock.removeAllListeners("close");
      sock.removeAllListeners("error");
      sock.removeListener("data", onData);
      sock.setTimeout(0);
      resolve(new Conn(sock, buf.subarray(end + 4), h["sec-websocket-protocol"]));
    };
    sock.on("data", onData);
  });
}

/** One open WebSocket. Events: "message" (text), "close" (code, reason), "error". */
export class Conn extends EventEmitter {
  constructor(sock, rest, protocol) {
    super();
    this.sock = sock;
    this.protocol = protocol;
    this.buf = Buffer.alloc(0);
    this.frags = [];
    this.closed = false;
    sock.setNoDelay(true);
    sock.on("data", (d) => this.feed(d));
    sock.on("error", (e) => this.emit("error", e));
    sock.on("close", () => this.finish(1006, ""));
    if (rest.length) setImmediate(() => this.feed(rest));
  }

  finish(code, reason) {
    if (this.closed) return;
    this.closed = true;
    this.closeCode = code;
    this.emit("close", code, reason);
  }

  /** A frame with any opcode, fin bit and payload; mask: false sends it unmasked (illegal
   *  from a client); declaredLength: a length field that lies. */
  frame(opcode, payload, { fin = true, mask = true, declaredLength } = {}) {
    const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload ?? "");
    const len = declaredLength ?? data.length;
    let head;
    if (len < 126) {
      head = Buffer.from([(fin ? 0x80 : 0) | opcode, (mask ? 0x80 : 0) | len]);
    } else if (len < 65536) {
      head = Buffer.alloc(4);
      head[0] = (fin ? 0x80 : 0) | opcode;
      head[1] = (mask ? 0x80 : 0) | 126;
      head.writeUInt16BE(len, 2);
    } else {
      head = Buffer.alloc(10);
      head[0] = (fin ? 0x80 : 0) | opcode;
      head[1] = (mask ? 0x80 : 0) | 127;
      head.writeBigUInt64BE(BigInt(len), 2);
    }
    if (!mask) return this.raw(Buffer.concat([head, data]));
    const key = randomBytes(4);
    const body = Buffer.alloc(data.length);
    for (let i = 0; i < data.length; i++) body[i] = data[i] ^ key[i & 3];
    return this.raw(Buffer.concat([head, key, body]));
  }

  raw(bytes) {
    if (this.sock.destroyed) return false;
    return this.sock.write(bytes);
  }

  send(text) {
    return this.frame(1, text);
  }

  /** Send a JSON value as a text message. */
  json(value) {
    return this.send(JSON.stringify(value));
  }

  close(code = 1000, reason = "") {
    const b = Buffer.alloc(2 + Buffer.byteLength(reason));
    b.writeUInt16BE(code, 0);
    b.write(reason, 2);
    this.frame(8, b);
  }

  destroy() {
    this.sock.destroy();
  }

  feed(chunk) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      if (this.buf.length < 2) return;
      const b0 = this.buf[0], b1 = this.buf[1];
      let len = b1 & 0x7f, off = 2;
      if (len === 126) {
        if (this.buf.length < 4) return;
        len = this.buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) return;
        len = Number(this.buf.readBigUInt64BE(2));
        off = 10;
      }
      if (this.buf.length < off + len) return;
      const payload = this.buf.subarray(off, off + len);
      this.buf = this.buf.subarray(off + len);
      this.onFrame(b0 & 0x80, b0 & 0x0f, payload);
    }
  }

  onFrame(fin, opcode, payload) {
    if (opcode === 8) {
      const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      const reason = payload.subarray(2).toString();
      if (!this.sock.destroyed) this.frame(8, payload.subarray(0, 2));
      this.sock.end();
      this.finish(code, reason);
    } else if (opcode === 9) {
      this.frame(10, payload);
    } else if (opcode === 1 || opcode === 2 || opcode === 0) {
      this.frags.push(Buffer.from(payload));
      if (fin) {
        const text = Buffer.concat(this.frags).toString("utf8");
        this.frags = [];
        this.emit("message", text);
      }
    }
  }
}

/** The browser's WebSocket API (what exo.js uses) over Conn. */
export class WebSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;

  constructor(url, protocol, opts = {}) {
    this.url = url;
    this.readyState = WebSocket.CONNECTING;
    this.onopen = this.onmessage = this.onclose = this.onerror = null;
    wsConnect(url, { protocol, ...(WebSocket.defaults || {}), ...opts }).then((conn) => {
      this.conn = conn;
      this.protocol = conn.protocol;
      if (this.readyState === WebSocket.CLOSING) {
        conn.destroy();
        return;
      }
      this.readyState = WebSocket.OPEN;
      conn.on("message", (data) => this.onmessage?.({ data }));
      conn.on("close", (code, reason) => {
        this.readyState = WebSocket.CLOSED;
        this.onclose?.({ code, reason, wasClean: code !== 1006 });
      });
      conn.on("error", () => {});
      this.onopen?.({});
    }, () => {
      this.readyState = WebSocket.CLOSED;
      this.onerror?.({});
      this.onclose?.({ code: 1006, reason: "", wasClean: false });
    });
  }

  send(text) {
    if (this.readyState !== WebSocket.OPEN) throw new Error("InvalidStateError");
    this.conn.send(text);
  }

  close(code = 1000, reason = "") {
    if (this.readyState === WebSocket.OPEN) {
      this.readyState = WebSocket.CLOSING;
      this.conn.close(code, reason);
    } else if (this.readyState === WebSocket.CONNECTING) {
      this.readyState = WebSocket.CLOSING;
    }
  }
}
