// exo.js - the browser client of exo's websocket frontend (wire protocol exo.v1).
// An ES module with no dependencies and no build step; the frontend serves it at /exo.js:
//
//   import { connect } from "/exo.js";
//   const exo = connect();                       // ws(s)://<this page's host>/exo
//   exo.on("todo.created", (msg) => ...);         // msg: {name, payload, activity}
//   exo.send("todo.create", { title: "milk" });
//   const reply = await exo.request("todo.list", {}, { timeout: 5000 });
//   exo.on("online", (info) => ...);              // also "offline", "error"
//
// docs/frontends.md ("exo.js") documents every option, the reconnection policy and the
// offline queue. Nothing here reads or sends anything but what the page passes in.

export const PROTOCOL = "exo.v1";

export const DEFAULTS = Object.freeze({
  queueSize: 100,     // frames kept while offline; when full the oldest is dropped
  timeout: 10000,     // ms a request() waits for its reply
  backoffMin: 250,    // ms before the first reconnection attempt
  backoffMax: 10000,  // ms: the delay doubles per failed attempt up to this
});

/** The client's own events; on() takes them besides message names. */
export const EVENTS = Object.freeze(["online", "offline", "error"]);

/** An error of exo: .name and .code are the failure name ("denied", "timeout", ...). */
export class ExoError extends Error {
  constructor(name, message) {
    super(message || name);
    this.name = name;
    this.code = name;
  }
}

function defaultUrl() {
  const loc = globalThis.location;
  if (!loc) throw new ExoError("bad-request", "connect() needs a URL outside a browser");
  return (loc.protocol === "https:" ? "wss://" : "ws://") + loc.host + "/exo";
}

function withToken(url, token) {
  if (token == null) return url;
  return url + (url.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(token);
}

/** Connect to the frontend at url (default: /exo on this page's host); returns a Client. */
export function connect(url, options = {}) {
  return new Client(url || defaultUrl(), options);
}

export class Client extends EventTarget {
  constructor(url, options = {}) {
    super();
    this.opts = { ...DEFAULTS, ...options };
    this.url = withToken(url, this.opts.token);
    this.WebSocket = this.opts.WebSocket || globalThis.WebSocket;
    this.handlers = new Map();   // message name -> Set of functions
    this.pending = new Map();    // request id -> {resolve, reject, timer, frame}
    this.queue = [];             // frames waiting for the connection: {text, id?, done}
    this.nextId = 1;
    this.attempt = 0;
    this.online = false;
    this.closed = false;
    this.user = undefined;
    this.maxMessageSize = Infinity;
    this.open();
  }

  /** Call fn({name, payload, activity}) for every message named name ("*": every message),
   *  or fn(info) for the client's events "online" ({user}), "offline" ({code, reason,
   *  retryIn}) and "error" ({error, message}). Returns a function that removes it. */
  on(name, fn) {
    if (!this.handlers.has(name)) this.handlers.set(name, new Set());
    this.handlers.get(name).add(fn);
    return () => this.handlers.get(name)?.delete(fn);
  }

  /** Send a message; no reply is awaited. Resolves once it is written to the connection;
   *  rejects (ExoError) when it is dropped from the offline queue or the client is closed.
   *  Failures the frontend reports (denied, rate-limited, ...) come as "error" events. */
  send(name, payload) {
    return new Promise((resolve, reject) => {
      const frame = { type: "send", name };
      if (payload !== undefined) frame.payload = payload;
      this.enqueue({ text: JSON.stringify(frame), done: { resolve, reject } });
    });
  }

  /** Send a message and resolve with the first message of its activity ({name, payload,
   *  activity}); reject with an ExoError named after the failure, "timeout" when no reply
   *  came within options.timeout ms (also while the message waited offline). */
  request(name, payload, options = {}) {
    const timeout = options.timeout ?? this.opts.timeout;
    const id = String(this.nextId++);
    return new Promise((resolve, reject) => {
      const frame = { type: "send", name, id, timeout: Math.max(1, Math.round(timeout)) };
      if (payload !== undefined) frame.payload = payload;
      const entry = { text: JSON.stringify(frame), id, done: { resolve() {}, reject } };
      const timer = setTimeout(() => {
        this.forget(id);
        reject(new ExoError("timeout", `no reply to ${name} within ${timeout} ms`));
      }, timeout);
      this.pending.set(id, { resolve, reject, timer, entry });
      this.enqueue(entry);
    });
  }

  /** Close for good: no reconnection; queued and pending sends are rejected. */
  close() {
    this.closed = true;
    clearTimeout(this.retryTimer);
    if (this.ws) this.ws.close(1000, "closed by the client");
    this.failAll("closed", "the client was closed");
  }

  // ---- internals -------------------------------------------------------------------

  forget(id) {
    const p = this.pending.get(id);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(id);
    const i = this.queue.indexOf(p.entry);
    if (i >= 0) this.queue.splice(i, 1);
  }

  enqueue(entry) {
    if (this.closed) {
      entry.done.reject(new ExoError("closed", "the client was closed"));
      if (entry.id) this.forget(entry.id);
      return;
    }
    if (entry.text.length > this.maxMessageSize) {
      // (UTF-16 length: a lower bound of the bytes; the frontend checks exactly)
      const e = new ExoError("too-large", `the message is over ${this.maxMessageSize} bytes`);
      if (entry.id) this.rejectRequest(entry.id, e); else entry.done.reject(e);
      return;
    }
    if (this.online && this.queue.length === 0) {
      this.write(entry);
      return;
    }
    this.queue.push(entry);
    while (this.queue.length > this.opts.queueSize) {
      const old = this.queue.shift();
      const e = new ExoError("dropped", "the offline queue was full: the oldest message was dropped");
      if (old.id) this.rejectRequest(old.id, e); else old.done.reject(e);
    }
  }

  write(entry) {
    this.ws.send(entry.text);
    entry.done.resolve();
  }

  flush() {
    while (this.online && this.queue.length > 0) this.write(this.queue.shift());
  }

  rejectRequest(id, error) {
    const p = this.pending.get(id);
    if (!p) return;
    this.forget(id);
    p.reject(error);
  }

  failAll(name, message) {
    for (const entry of this.queue.splice(0)) {
      if (!entry.id) entry.done.reject(new ExoError(name, message));
    }
    for (const id of [...this.pending.keys()]) this.rejectRequest(id, new ExoError(name, message));
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
    this.call(type, detail);
  }

  call(key, arg) {
    for (const fn of this.handlers.get(key) || []) {
      try {
        fn(arg);
      } catch (e) {
        setTimeout(() => { throw e; }); // reported, but never breaks the client
      }
    }
  }

  open() {
    let ws;
    try {
      ws = new this.WebSocket(this.url, PROTOCOL);
    } catch (e) {
      this.emit("error", { error: "unavailable", message: String(e && e.message || e) });
      this.retry();
      return;
    }
    this.ws = ws;
    ws.onmessage = (ev) => this.receive(ev.data);
    ws.onclose = (ev) => this.lost(ev.code, ev.reason);
    ws.onerror = () => {}; // a close follows every error
  }

  receive(data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return; // the frontend sends JSON only
    }
    if (frame.type === "welcome") {
      this.online = true;
      this.attempt = 0;
      this.user = frame.user;
      if (frame.max_message_size) this.maxMessageSize = frame.max_message_size;
      this.emit("online", { user: frame.user });
      this.flush();
    } else if (frame.type === "message") {
      this.message(frame);
    } else if (frame.type === "error") {
      if (frame.re != null && this.pending.has(frame.re)) {
        this.rejectRequest(frame.re, new ExoError(frame.error, frame.message));
      } else {
        if (frame.error === "not-authorised") this.refused = true;
        this.emit("error", { error: frame.error, message: frame.message, re: frame.re });
      }
    }
  }

  message(frame) {
    const msg = { name: frame.name, payload: frame.payload, activity: frame.activity };
    const p = frame.re != null ? this.pending.get(frame.re) : undefined;
    if (p) {
      this.forget(frame.re);
      p.resolve(msg);
      return;
    }
    // A message named like one of the client's events reaches only "*" handlers.
    if (!EVENTS.includes(frame.name)) this.call(frame.name, msg);
    this.call("*", msg);
  }

  lost(code, reason) {
    const wasOnline = this.online;
    this.online = false;
    this.ws = undefined;
    // Requests written to the lost connection can no longer be answered.
    for (const [id, p] of [...this.pending]) {
      if (!this.queue.includes(p.entry)) {
        this.rejectRequest(id, new ExoError("unavailable", "the connection closed before the reply"));
      }
    }
    if (this.closed) return;
    if (this.refused) {
      this.closed = true;
      this.failAll("not-authorised", "the frontend refused this client's credential");
      this.emit("offline", { code, reason, retryIn: null });
      return;
    }
    const delay = this.retry();
    if (wasOnline || this.attempt === 1) this.emit("offline", { code, reason, retryIn: delay });
  }

  /** Schedule the next attempt: exponential backoff with jitter (half to all of the step). */
  retry() {
    const step = Math.min(this.opts.backoffMax, this.opts.backoffMin * 2 ** this.attempt);
    const delay = Math.round(step / 2 + Math.random() * step / 2);
    this.attempt++;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.open(), delay);
    return delay;
  }
}
