// tests/dashboard/protocol.mjs URL APP SECRET - the dashboard protocol (docs/dashboard.md)
// against a running `exo run` of dash-lib.sh's app: the token, the snapshot, the edge
// counters against `exo bus status --json`, a denied message on its edge, an activity in
// order, a masked payload, dash.send as a role, dash.restart.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { wsConnect } from "../websocket/wsclient.mjs";
import { httpGet, step, until } from "../websocket/testkit.mjs";

const [url, app, secret] = process.argv.slice(2);
const u = new URL(url);
const port = Number(u.port);
const token = u.pathname.split("/")[1];
const wsUrl = `ws://127.0.0.1:${port}/${token}/exo?token=${token}`;
const exo = process.env.EXO_BIN;

/** A connection whose messages are all kept, with waits for a condition. */
class Page {
  constructor(conn) {
    this.conn = conn;
    this.seen = [];
    this.closed = undefined;
    this.n = 0;
    conn.on("message", (t) => this.seen.push(JSON.parse(t)));
    conn.on("close", (code) => (this.closed = code));
    conn.on("error", () => {});
  }
  async waitFor(pred, what, ms = 8000) {
    let found;
    await until(() => (found = this.seen.find(pred)) !== undefined || this.closed !== undefined,
      ms, what);
    if (found === undefined) throw new Error(`closed (${this.closed}) waiting for ${what}`);
    return found;
  }
  /** Send command NAME and return its answer (a message or an error with re). */
  async ask(name, payload = {}) {
    const id = `r${++this.n}`;
    this.conn.json({ type: "send", name, payload, id });
    return this.waitFor((m) => m.re === id, `the answer to ${name}`);
  }
  pushes(name) {
    return this.seen.filter((m) => m.re === undefined && m.name === name).map((m) => m.payload);
  }
}

async function open() {
  const page = new Page(await wsConnect(wsUrl));
  const welcome = await page.waitFor((m) => m.type === "welcome", "welcome");
  assert.equal(welcome.type, "welcome");
  return page;
}

function exoSend(role, name, payload) {
  const args = ["send", "--app", app, "--as", role, name, JSON.stringify(payload), "--wait"];
  return spawnSync(exo, args, { encoding: "utf8" });
}

function busStatus() {
  return JSON.parse(execFileSync(exo, ["bus", "status", "--app", app, "--json"],
    { encoding: "utf8" }));
}

let page;

await step("no page or WebSocket without the token", async () => {
  for (const path of ["/", "/exo.js", `/${token.slice(0, 31)}/`, `/${"0".repeat(32)}/`]) {
    assert.equal((await httpGet(port, path)).status, 403, path);
  }
  assert.equal((await httpGet(port, `/${token}/exo.js`)).status, 200);
  // the right path without or with a wrong credential: refused by the core
  for (const q of ["", `?token=${"f".repeat(32)}`]) {
    const c = new Page(await wsConnect(`ws://127.0.0.1:${port}/${token}/exo${q}`));
    await c.waitFor((m) => m.type === "error" || c.closed !== undefined, `refusal of ${q}`);
    const err = c.seen.find((m) => m.type === "error");
    if (err) assert.equal(err.error, "not-authorised");
    c.conn.json({ type: "send", name: "dash.hello", payload: {}, id: "x" });
    await until(() => c.closed !== undefined, 5000, "the refused page closed");
    assert.equal(c.seen.find((m) => m.re === "x" && m.name), undefined);
  }
});

await step("dash.hello: every unit ready, the app's edges", async () => {
  page = await open();
  const snap = (await page.ask("dash.hello")).payload;
  assert.equal(snap.app, "dashtest");
  const units = Object.fromEntries(snap.units.map((x) => [x.name, x]));
  for (const name of ["echo", "client"]) {
    assert.equal(units[name].state, "ready", name);
    assert.equal(units[name].backend, "process");
    assert.ok(units[name].pid > 0, `${name} has a pid`);
    assert.ok(units[name].ready_at >= units[name].started_at);
    assert.equal(typeof units[name].color, "number");
  }
  const ids = snap.edges.map((e) => e.id).sort();
  assert.deepEqual(ids, ["client>echo>echo.ask", "client>echo>echo.leak",
    "echo>client>echo.answer"]);
  assert.deepEqual(snap.roles_can_send.client, ["echo.ask", "echo.leak"]);
  assert.ok(snap.nodes.some((n) => n.id === "exo" && n.kind === "exo"));
  assert.ok(snap.logs.some((l) => l.unit === "echo" && l.text === "echo online"));
  assert.equal(typeof snap.colors.exo, "number");
});

/** Edge counters of the latest snapshot, summed per (sender, public name) as the broker
 *  counts routes. */
async function edgeTotals() {
  const snap = (await page.ask("dash.hello")).payload;
  const totals = {};
  for (const e of snap.edges) {
    const k = `${e.from} ${e.name}`;
    const t = (totals[k] ||= { delivered: 0, denied: 0, no_receiver: 0, dropped: 0 });
    for (const c of Object.keys(t)) t[c] += e[c];
  }
  return { snap, totals };
}

await step("after exo send the edge counters equal the broker's", async () => {
  for (let i = 0; i < 3; i++) {
    const r = exoSend("client", "echo.ask", { i });
    assert.equal(r.status, 0, r.stderr);
  }
  const denied = exoSend("client", "echo.forbidden", {});
  assert.equal(denied.status, 1);
  const { snap, totals } = await edgeTotals();
  const routes = busStatus().routes;
  assert.ok(routes.length > 0);
  for (const r of routes) {
    const mine = totals[`${r.sender} ${r.public}`] || { delivered: 0, denied: 0, no_receiver: 0,
      dropped: 0 };
    for (const c of ["delivered", "denied", "no_receiver", "dropped"]) {
      assert.equal(mine[c], r[c], `${r.sender} ${r.public} ${c}`);
    }
  }
  const ask = snap.edges.find((e) => e.id === "client>echo>echo.ask");
  assert.ok(ask.delivered >= 3);
  // the denied message on its own edge to exo
  const d = snap.edges.find((e) => e.id === "client>exo>echo.forbidden");
  assert.ok(d, "an edge client>exo>echo.forbidden");
  assert.equal(d.denied, 1);
  assert.equal(d.delivered, 0);
  const m = snap.recent.find((x) => x.name === "echo.forbidden");
  assert.equal(m.outcome, "denied");
  assert.equal(m.receiver, null);
  // pushes carried the same change
  await page.waitFor((x) => x.name === "dash.flow" &&
    x.payload.edges["client>exo>echo.forbidden"]?.denied === 1, "a flow push of the denial");
});

await step("dash.activity: an activity's messages in order", async () => {
  const r = exoSend("client", "echo.ask", { order: true });
  const reply = JSON.parse(r.stdout);
  const act = (await page.ask("dash.activity", { activity: reply.activity })).payload;
  assert.equal(act.activity, reply.activity);
  assert.deepEqual(act.messages.map((x) => [x.sender, x.receiver, x.name]),
    [["client", "echo", "echo.ask"], ["echo", "client", "echo.answer"]]);
  assert.ok(act.messages[0].seq < act.messages[1].seq);
  assert.ok(act.messages[0].size > 0);
  assert.equal(act.messages[0].payload, undefined);
  const none = (await page.ask("dash.activity", { activity: "no-such" })).payload;
  assert.deepEqual(none.messages, []);
});

await step("dash.payload: masked, never the secret", async () => {
  const r = exoSend("client", "echo.leak", {});
  const reply = JSON.parse(r.stdout);
  const act = (await page.ask("dash.activity", { activity: reply.activity })).payload;
  const answer = act.messages.find((x) => x.name === "echo.answer");
  const p = (await page.ask("dash.payload", { seq: answer.seq })).payload;
  assert.equal(p.seq, answer.seq);
  assert.equal(p.truncated, false);
  assert.ok(!p.payload.includes(secret), `secret shown: ${p.payload}`);
  assert.match(p.payload, /"key"/);
  const gone = await page.ask("dash.payload", { seq: 999999 });
  assert.equal(gone.type, "error");
  assert.equal(gone.error, "bad-request");
  assert.match(gone.message, /no longer kept/);
});

await step("dash.send as a role: its sends apply", async () => {
  const ok = (await page.ask("dash.send", { role: "client", name: "echo.ask",
    payload: { from: "page" } })).payload;
  assert.equal(ok.outcome, "delivered");
  assert.deepEqual(ok.reply, { name: "echo.answer", payload: { from: "page" } });
  assert.equal(ok.error, null);
  const denied = (await page.ask("dash.send", { role: "client", name: "echo.answer" }))
    .payload;
  assert.equal(denied.outcome, "denied");
  assert.equal(denied.error.error, "denied");
  assert.equal(denied.reply, null);
  const bad = await page.ask("dash.send", { role: "nobody", name: "echo.ask" });
  assert.equal(bad.type, "error");
  assert.equal(bad.error, "bad-request");
  // the sent message is on the map like any other
  const act = (await page.ask("dash.activity", { activity: ok.activity })).payload;
  assert.equal(act.messages[0].sender, "client");
});

await step("bad commands are refused with a sentence", async () => {
  const e = await page.ask("dash.nothing");
  assert.equal(e.error, "bad-request");
  assert.match(e.message, /no dashboard command/);
  const e2 = await page.ask("dash.restart", {});
  assert.equal(e2.error, "bad-request");
  page.conn.json({ type: "send", name: "dash.hello", payload: {} }); // no id
  const e3 = await page.waitFor((m) => m.type === "error" && /needs an id/.test(m.message),
    "the error of a command without an id");
  assert.equal(e3.error, "bad-request");
});

await step("dash.stats: every second, each unit's CPU and memory", async () => {
  const m = await page.waitFor((x) => x.name === "dash.stats" && x.payload.units.echo &&
    x.payload.units.client, "a dash.stats push", 5000);
  for (const name of ["echo", "client"]) {
    const st = m.payload.units[name];
    assert.equal(typeof st.cpu, "number");
    assert.ok(st.cpu >= 0);
    assert.ok(st.rss > 1024 * 1024, `${name} uses some memory: ${st.rss}`);
  }
  const snap = (await page.ask("dash.hello")).payload;
  assert.equal(snap.backend, "process");
});

await step("dash.restart restarts a unit", async () => {
  const before = (await page.ask("dash.hello")).payload.units.find((x) => x.name === "echo");
  const done = (await page.ask("dash.restart", { unit: "echo" })).payload;
  assert.deepEqual(done, { unit: "echo", state: "restarting" });
  // (starting and ready may fall into one 100 ms push: the push says the latest state)
  await page.waitFor((m) => m.name === "dash.units" && m.payload.units.some((x) =>
    x.name === "echo" && x.state === "ready" && x.started_at > before.started_at),
  "echo ready again", 20000);
  const after = (await page.ask("dash.hello")).payload.units.find((x) => x.name === "echo");
  assert.notEqual(after.pid, before.pid);
});
await step("a killed unit shows restarting with its signal, then ready", async () => {
  const echo = (await page.ask("dash.hello")).payload.units.find((x) => x.name === "echo");
  process.kill(echo.pid, "SIGKILL");
  const r = await page.waitFor((m) => m.name === "dash.units" && m.payload.units.some((x) =>
    x.name === "echo" && x.state === "restarting"), "echo restarting");
  const u = r.payload.units.find((x) => x.name === "echo");
  assert.deepEqual(u.restarts.map((x) => [x.exit_code, x.signal]).at(-1), [null, "SIGKILL"]);
  await page.waitFor((m) => m.name === "dash.units" &&
    m.payload.units.some((x) => x.name === "echo" && x.state === "ready" && x.pid !== echo.pid),
  "echo ready after the crash", 20000);
});

await step("dash.stop and dash.start", async () => {
  assert.deepEqual((await page.ask("dash.stop", { unit: "client" })).payload,
    { unit: "client", state: "stopped" });
  await page.waitFor((m) => m.name === "dash.units" && m.payload.units.some((x) =>
    x.name === "client" && x.state === "stopped"), "client stopped", 15000);
  const n = page.seen.length;
  assert.deepEqual((await page.ask("dash.start", { unit: "client" })).payload,
    { unit: "client", state: "starting" });
  await page.waitFor((m) => page.seen.indexOf(m) >= n && m.name === "dash.units" &&
    m.payload.units.some((x) => x.name === "client" && x.state === "ready"), "client ready",
  20000);
  const e = await page.ask("dash.stop", { unit: "nobody" });
  assert.equal(e.error, "bad-request");
  assert.match(e.message, /no unit 'nobody'/);
});
await step("dash.start while the unit is still stopping starts it once it stopped", async () => {
  const before = (await page.ask("dash.hello")).payload.units.find((x) => x.name === "stubborn");
  assert.equal(before.state, "ready");
  await page.ask("dash.stop", { unit: "stubborn" });
  const n = page.seen.length;
  assert.deepEqual((await page.ask("dash.start", { unit: "stubborn" })).payload,
    { unit: "stubborn", state: "starting" });
  await page.waitFor((m) => page.seen.indexOf(m) >= n && m.name === "dash.units" &&
    m.payload.units.some((x) => x.name === "stubborn" && x.state === "ready" &&
      x.pid !== before.pid), "stubborn ready again after its stop", 20000);
});
process.exit(0);
