// tests/websocket/testkit.mjs - what the node tests share: a mailbox of a connection's JSON
// messages with deadlines (tests wait for conditions, never for fixed times), plain HTTP
// requests, named steps.
import http from "node:http";

export class Mailbox {
  constructor(conn) {
    this.conn = conn;
    this.queue = [];
    this.waiters = [];
    this.closeCode = undefined;
    conn.on("message", (t) => this.push(JSON.parse(t)));
    conn.on("close", (code) => {
      this.closeCode = code;
      for (const w of this.waiters.splice(0)) w.fail(new Error(`closed with ${code}`));
    });
    conn.on("error", () => {});
  }

  push(m) {
    const w = this.waiters.shift();
    if (w) w.ok(m); else this.queue.push(m);
  }

  /** The next message, or an error after ms. */
  next(ms = 5000) {
    if (this.queue.length) return Promise.resolve(this.queue.shift());
    if (this.closeCode !== undefined) return Promise.reject(new Error(`closed with ${this.closeCode}`));
    return new Promise((ok, fail) => {
      const w = { ok: (m) => { clearTimeout(t); ok(m); }, fail: (e) => { clearTimeout(t); fail(e); } };
      const t = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        fail(new Error(`no message within ${ms} ms`));
      }, ms);
      this.waiters.push(w);
    });
  }

  async welcome(ms) {
    const m = await this.next(ms);
    if (m.type !== "welcome") throw new Error(`expected welcome, got ${JSON.stringify(m)}`);
    return m;
  }

  /** The close code once the connection is closed (error after ms). */
  closed(ms = 5000) {
    if (this.closeCode !== undefined) return Promise.resolve(this.closeCode);
    return new Promise((ok, fail) => {
      const t = setTimeout(() => fail(new Error(`not closed within ${ms} ms`)), ms);
      this.conn.on("close", (code) => { clearTimeout(t); ok(code); });
    });
  }
}

export function httpGet(port, path, headers = {}, method = "GET") {
  return new Promise((ok, fail) => {
    const req = http.request({ host: "127.0.0.1", port, path, method, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => ok({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on("error", fail);
    req.end();
  });
}

export async function step(name, fn) {
  try {
    await fn();
  } catch (e) {
    console.error(`FAIL: ${name}`);
    console.error(e);
    process.exit(1);
  }
  console.log(`ok: ${name}`);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Wait until cond() is true (checked every 20 ms); throws after ms. */
export async function until(cond, ms, what) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
