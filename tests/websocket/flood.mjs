// tests/websocket/flood.mjs PORT FRONTEND_PID N SIZE: a service floods the frontend with N
// messages of SIZE bytes for a client that does not read (tests/hostile/websocket-flood.sh).
// The frontend's peak RSS (VmHWM of /proc/FRONTEND_PID/status) stays under WS_RSS_BOUND_MB
// over the whole flood, the client is dropped, and another client is served meanwhile.
import assert from "node:assert/strict";
import fs from "node:fs";
import { wsConnect } from "./wsclient.mjs";
import { Mailbox, step, until } from "./testkit.mjs";

const [port, pid, n, size] = process.argv.slice(2).map(Number);
const url = `ws://127.0.0.1:${port}/exo`;
const RSS_BOUND_MB = Number(process.env.WS_RSS_BOUND_MB || 64);

function memMb(field) {
  const m = fs.readFileSync(`/proc/${pid}/status`, "utf8").match(new RegExp(`^${field}:\\s+(\\d+)`, "m"));
  return Number(m[1]) / 1024;
}

async function open() {
  const m = new Mailbox(await wsConnect(url));
  await m.welcome();
  return m;
}

await step(`${n} messages of ${size} bytes for a client that does not read: RSS bounded`, async () => {
  const before = memMb("VmRSS");
  const stuck = await open();
  stuck.conn.sock.pause(); // reads nothing: the kernel buffers fill, then the frontend's queue
  stuck.conn.json({ type: "send", name: "echo.flood", payload: { n, size }, id: "f" });
  const other = await open();
  await until(() => fs.readFileSync(process.env.RUN_OUT, "utf8").includes("it does not read its messages"),
    60000, "the drop's log line");
  // The echo service answers in order: this reply comes once the whole flood is sent.
  other.conn.json({ type: "send", name: "echo.ask", payload: "after", id: "a" });
  const r = await other.next(120000);
  assert.deepEqual([r.re, r.payload], ["a", "after"]);
  const peak = memMb("VmHWM");
  console.log(`frontend RSS ${before.toFixed(1)} MiB before the flood, peak ${peak.toFixed(1)} MiB ` +
    `(bound ${RSS_BOUND_MB} MiB) for ${(n * size / 1048576).toFixed(0)} MiB sent`);
  assert.ok(peak < RSS_BOUND_MB, `peak RSS ${peak.toFixed(1)} MiB over ${RSS_BOUND_MB} MiB`);
  stuck.conn.destroy();
  other.conn.close();
});

process.exit(0);
