// tests/websocket/idle.mjs PORT IDLE_TIMEOUT_S: the keepalive (tests/websocket/idle.sh). A
// client that completes the handshake and then answers no ping, and one that freezes (stops
// reading its socket), are each closed within the idle timeout; a live client that answers
// pings but sends nothing stays open for several timeouts and is still served.
import assert from "node:assert/strict";
import { wsConnect } from "./wsclient.mjs";
import { Mailbox, sleep, step } from "./testkit.mjs";

const [port, idle] = process.argv.slice(2).map(Number);
const url = `ws://127.0.0.1:${port}/exo`;
const SLACK_MS = 2500; // the loop's timer and the close handshake, on a loaded machine

async function open() {
  const m = new Mailbox(await wsConnect(url));
  await m.welcome();
  return m;
}

// Closed by the frontend (our side never closes): the socket ends within the timeout.
async function closedWithin(m, what) {
  const t0 = Date.now();
  await m.closed(idle * 1000 + SLACK_MS);
  const after = Date.now() - t0;
  console.log(`${what}: closed ${after} ms after it went silent (idle-timeout ${idle} s)`);
  return after;
}

await step("a client that never answers a ping is closed within the idle timeout", async () => {
  const live = await open();
  const mute = await open();
  mute.conn.answerPings = false;
  await closedWithin(mute, "the mute client");
  assert.ok(mute.conn.pings >= 1, "it was pinged before it was closed");
  assert.equal(live.closeCode, undefined, "the live client is still open");
  live.conn.close();
});

await step("a frozen client (its socket no longer read) is closed within the idle timeout", async () => {
  const frozen = await open();
  frozen.conn.answerPings = false;
  frozen.conn.sock.pause(); // reads nothing: the ping waits in its kernel buffer
  await sleep(idle * 1000 + SLACK_MS);
  // Paused, node sees no FIN either: read again, only to find the socket ended already.
  const ended = new Promise((ok, fail) => {
    const t = setTimeout(() => fail(new Error("the frozen client is still open")), 1000);
    frozen.conn.sock.once("close", () => { clearTimeout(t); ok(); });
  });
  frozen.conn.sock.resume();
  await ended;
  console.log("the frozen client: closed while frozen");
});

await step("a live client that answers pings stays open past several timeouts", async () => {
  const live = await open();
  await sleep(idle * 3000 + 500);
  assert.equal(live.closeCode, undefined, "the live client was closed");
  assert.ok(live.conn.pings >= 2, `pinged ${live.conn.pings} times`);
  live.conn.json({ type: "send", name: "echo.ask", payload: "still", id: "s" });
  const r = await live.next();
  assert.deepEqual([r.re, r.payload], ["s", "still"]);
  live.conn.close();
});

process.exit(0);
