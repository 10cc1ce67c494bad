// tests/websocket/hostile.mjs PORT FRONTEND_PID MAX_CONNECTIONS: hostile WebSocket clients
// against the real frontend (tests/hostile/websocket.sh): 1,000 concurrent connections whose
// replies each reach only their own socket, the connection bound, broken frames at the wire
// level, a bad Origin, and a client that never reads while another one is still answered.
// The frontend's memory is read from /proc/FRONTEND_PID/status.
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import { wsConnect } from "./wsclient.mjs";
import { Mailbox, sleep, step, until } from "./testkit.mjs";

const [port, pid, maxConnections] = process.argv.slice(2).map(Number);
const url = `ws://127.0.0.1:${port}/exo`;
const RSS_BOUND_MB = Number(process.env.WS_RSS_BOUND_MB || 64);

function memKb(field) {
  const m = fs.readFileSync(`/proc/${pid}/status`, "utf8").match(new RegExp(`^${field}:\\s+(\\d+)`, "m"));
  return Number(m[1]);
}

async function openMany(n, batch = 100) {
  const all = [];
  for (let i = 0; i < n; i += batch) {
    const part = await Promise.all(Array.from({ length: Math.min(batch, n - i) },
      () => wsConnect(url).then((c) => new Mailbox(c))));
    await Promise.all(part.map((m) => m.welcome(20000)));
    all.push(...part);
  }
  return all;
}

async function stillServes(what) {
  const m = new Mailbox(await wsConnect(url));
  await m.welcome();
  m.conn.json({ type: "send", name: "echo.ask", payload: what, id: "alive" });
  const r = await m.next();
  assert.deepEqual([r.re, r.payload], ["alive", what]);
  m.conn.close();
}

let many;
await step("1,000 concurrent connections, each answered with its own reply", async () => {
  const rss0 = memKb("VmRSS");
  many = await openMany(1000);
  many.forEach((m, i) => m.conn.json({ type: "send", name: "echo.ask", payload: { conn: i }, id: "x" }));
  const replies = await Promise.all(many.map((m) => m.next(30000)));
  replies.forEach((r, i) => {
    assert.equal(r.re, "x");
    assert.equal(r.payload.conn, i, `connection ${i} got connection ${r.payload.conn}'s reply`);
  });
  await sleep(200);
  assert.equal(many.reduce((n, m) => n + m.queue.length, 0), 0, "no stray messages");
  const rss = memKb("VmRSS");
  console.log(`frontend RSS: ${(rss0 / 1024).toFixed(1)} MiB before, ${(rss / 1024).toFixed(1)} MiB with 1,000 connections`);
  assert.ok(rss / 1024 < RSS_BOUND_MB, `RSS ${rss} KiB over ${RSS_BOUND_MB} MiB`);
});

await step("the connection bound: one more is refused with 503, then fits again", async () => {
  const extra = await openMany(maxConnections - many.length);
  let status = 101;
  try {
    await wsConnect(url);
  } catch (e) {
    status = e.status;
  }
  assert.equal(status, 503);
  extra.pop().conn.close();
  await until(async () => {
    try {
      const m = new Mailbox(await wsConnect(url));
      extra.push(m);
      return true;
    } catch {
      return false;
    }
  }, 5000, "room for a new connection");
  for (const m of [...many, ...extra]) m.conn.destroy();
  many = [];
});

// Raw bytes after a good handshake: the frontend closes that socket, or answers bad-request
// (lws 4.1 takes an unmasked frame from a client); it never takes them as a message.
async function brokenAfterHandshake(bytes) {
  const m = new Mailbox(await wsConnect(url));
  await m.welcome();
  m.conn.raw(Buffer.from(bytes));
  try {
    const answer = await m.next(5000);
    m.conn.destroy();
    return answer.type === "error" && answer.error === "bad-request" ? "bad-request" : answer;
  } catch {
    return m.closeCode !== undefined ? "closed" : "silence";
  }
}

await step("broken frames close only their own connection", async () => {
  const witness = new Mailbox(await wsConnect(url));
  await witness.welcome();
  const cases = {
    "unmasked frame": [0x81, 0x02, 0x68, 0x69],
    "reserved opcode": [0x83, 0x80, 0, 0, 0, 0],
    "RSV bits": [0xf1, 0x80, 0, 0, 0, 0],
    "ping over 125 bytes": [0x89, 0xfe, 0x00, 0xc8, 0, 0, 0, 0, ...Buffer.alloc(200)],
    "fragmented ping": [0x09, 0x80, 0, 0, 0, 0],
    "continuation without a start": [0x80, 0x81, 0, 0, 0, 0, 0x41],
    "text frame inside a fragmented message": [0x01, 0x81, 0, 0, 0, 0, 0x41, 0x81, 0x81, 0, 0, 0, 0, 0x41],
  };
  for (const [what, bytes] of Object.entries(cases)) {
    const outcome = await brokenAfterHandshake(bytes);
    assert.ok(outcome === "closed" || outcome === "bad-request", `${what}: ${JSON.stringify(outcome)}`);
    console.log(`  ${what}: ${outcome}`);
  }
  // Garbage instead of a handshake, a header that never ends, a half frame then a hang-up.
  for (const junk of ["\x16\x03\x01\x02\x00garbage\r\n\r\n", "GET /exo HTTP/1.1\r\nX: " + "a".repeat(20000)]) {
    await new Promise((ok) => {
      const s = net.connect(port, "127.0.0.1", () => s.write(junk));
      s.on("error", ok);
      s.on("close", ok);
      setTimeout(() => { s.destroy(); ok(); }, 3000);
    });
  }
  const half = await wsConnect(url);
  half.raw(Buffer.from([0x81, 0xfe, 0x10]));
  half.destroy();
  // The witness is still served.
  witness.conn.json({ type: "send", name: "echo.ask", payload: "w", id: "w" });
  assert.equal((await witness.next()).re, "w");
  witness.conn.close();
  await stillServes("after broken frames");
});

await step("a bad Origin is refused with 403", async () => {
  await assert.rejects(wsConnect(url, { origin: "https://attacker.example" }), (e) => e.status === 403);
});

await step("a client that never reads is dropped; another is answered meanwhile", async () => {
  const stuck = new Mailbox(await wsConnect(url));
  await stuck.welcome();
  stuck.conn.json({ type: "send", name: "echo.flood", payload: { n: 3000, size: 20000 }, id: "f" });
  stuck.conn.sock.pause(); // reads nothing more: the kernel buffers fill, then the frontend's
  const other = new Mailbox(await wsConnect(url));
  await other.welcome();
  let answered = 0;
  const t0 = Date.now();
  for (let i = 0; i < 50; i++) {
    other.conn.json({ type: "send", name: "echo.ask", payload: { i }, id: String(i) });
    const r = await other.next(10000);
    assert.equal(r.re, String(i));
    answered++;
    if (i % 10 === 0) await sleep(20);
  }
  console.log(`the other client: ${answered} requests answered in ${Date.now() - t0} ms during the flood`);
  // The stuck one was dropped: its socket ends once we look again.
  await until(() => fs.readFileSync(process.env.RUN_OUT, "utf8").includes("it does not read its messages"),
    30000, "the drop's log line");
  stuck.conn.sock.resume();
  await stuck.closed(30000).catch(() => {});
  const hwm = memKb("VmHWM");
  console.log(`frontend peak RSS: ${(hwm / 1024).toFixed(1)} MiB (bound ${RSS_BOUND_MB} MiB)`);
  assert.ok(hwm / 1024 < RSS_BOUND_MB, `peak RSS ${hwm} KiB`);
  other.conn.close();
  await stillServes("after the flood");
});

process.exit(0);
