// tests/websocket/exojs.mjs PORT FRONTEND_PID: exo.js (served by the frontend) run in node
// over wsclient.mjs's WebSocket, against the real frontend (tests/websocket/exojs.sh):
// requests, errors and timeouts, pushes, the offline queue's bound, the backoff's delays, and
// reconnection after the frontend process is killed and restarted by exo run.
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { WebSocket } from "./wsclient.mjs";
import { httpGet, sleep, step, until } from "./testkit.mjs";

const [port, frontendPid] = process.argv.slice(2).map(Number);
const url = `ws://127.0.0.1:${port}/exo`;

// The exo.js the frontend serves, imported as a module.
const served = await httpGet(port, "/exo.js");
assert.equal(served.status, 200);
const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "exojs-")), "exo.js");
fs.writeFileSync(file, served.body);
const { connect, DEFAULTS } = await import(file);

function waitEvent(client, type, ms = 10000) {
  return new Promise((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`no ${type} within ${ms} ms`)), ms);
    const off = client.on(type, (info) => { clearTimeout(t); off(); ok(info); });
  });
}

await step("request, send, on, and errors as ExoError", async () => {
  const exo = connect(url, { WebSocket });
  const online = await waitEvent(exo, "online");
  assert.equal(online.user, null);
  const reply = await exo.request("echo.ask", { hello: 1 });
  assert.deepEqual([reply.name, reply.payload], ["echo.answer", { hello: 1 }]);
  const pushed = new Promise((ok) => exo.on("echo.pushed", ok));
  await exo.send("echo.shout", { to: "all" });
  assert.deepEqual((await pushed).payload, { to: "all" });
  await assert.rejects(exo.request("secret.take", {}), (e) => e.code === "denied" && e.name === "denied" && e.message.length > 0);
  const t0 = Date.now();
  await assert.rejects(exo.request("echo.ignore", {}, { timeout: 300 }), (e) => e.code === "timeout");
  assert.ok(Date.now() - t0 < 2000);
  // A send the frontend refuses comes back as an "error" event.
  const err = waitEvent(exo, "error");
  await exo.send("secret.take", {});
  assert.equal((await err).error, "denied");
  await assert.rejects(exo.request("echo.ask", "x".repeat(70000)), (e) => e.code === "too-large");
  exo.close();
  await assert.rejects(exo.send("echo.ask", 1), (e) => e.code === "closed");
});

await step("offline: the queue keeps the newest queueSize messages; backoff doubles with jitter", async () => {
  const dead = net.createServer();
  await new Promise((ok) => dead.listen(0, "127.0.0.1", ok));
  const deadPort = dead.address().port;
  dead.close(); // nothing listens there now
  const attempts = [];
  class Counting extends WebSocket {
    constructor(...a) { attempts.push(Date.now()); super(...a); }
  }
  const exo = connect(`ws://127.0.0.1:${deadPort}/exo`,
    { WebSocket: Counting, queueSize: 3, backoffMin: 50, backoffMax: 400 });
  const results = [1, 2, 3, 4, 5].map((i) => exo.send("echo.ask", i).then(() => "sent", (e) => e.code));
  await sleep(10);
  assert.deepEqual(await Promise.race([Promise.all(results.slice(0, 2)), sleep(500).then(() => "pending")]),
    ["dropped", "dropped"]);
  assert.equal(exo.queue.length, 3);
  // A queued request whose timeout passes leaves the queue (and pushes out the oldest).
  await assert.rejects(exo.request("echo.ask", 6, { timeout: 100 }), (e) => e.code === "timeout");
  assert.equal(await results[2], "dropped");
  assert.equal(exo.queue.length, 2);
  await until(() => attempts.length >= 7, 10000, "seven connection attempts");
  exo.close();
  assert.equal(await results[3], "closed");
  const delays = attempts.slice(1, 7).map((t, i) => t - attempts[i]);
  delays.forEach((d, k) => {
    const stepMs = Math.min(400, 50 * 2 ** k);
    assert.ok(d >= stepMs / 2 - 5 && d <= stepMs + 150, `attempt ${k + 2} after ${d} ms, step ${stepMs}`);
  });
  console.log(`  delays between attempts: ${delays.join(", ")} ms`);
  assert.equal(DEFAULTS.queueSize, 100);
});

await step("the frontend is killed: offline, then online again, and queued sends go out", async () => {
  const exo = connect(url, { WebSocket, backoffMin: 100, backoffMax: 1000 });
  await waitEvent(exo, "online");
  const offline = waitEvent(exo, "offline");
  process.kill(frontendPid, "SIGKILL");
  const info = await offline;
  assert.ok(info.retryIn > 0);
  // While it is away: a request waits in the queue and is answered after the reconnection.
  const later = exo.request("echo.ask", "after the restart", { timeout: 30000 });
  await waitEvent(exo, "online", 30000);
  assert.equal((await later).payload, "after the restart");
  exo.close();
});

process.exit(0);
