// tests/websocket/protocol.mjs PORT: the exo.v1 wire protocol against the real frontend under
// exo run (tests/websocket/protocol.sh): welcome, request and reply, errors, malformed frames,
// pushes to every connection, replies only to the asker, the upgrade checks, /exo.js.
import assert from "node:assert/strict";
import { wsConnect } from "./wsclient.mjs";
import { Mailbox, httpGet, step } from "./testkit.mjs";

const port = process.argv[2];
const url = `ws://127.0.0.1:${port}/exo`;

await step("welcome, then a request is answered with its id", async () => {
  const m = new Mailbox(await wsConnect(url));
  assert.deepEqual(await m.next(), { type: "welcome", user: null, max_message_size: 65536 });
  m.conn.json({ type: "send", name: "echo.ask", payload: { n: 1, s: "é" }, id: "r1" });
  const reply = await m.next();
  assert.equal(reply.type, "message");
  assert.equal(reply.name, "echo.answer");
  assert.equal(reply.re, "r1");
  assert.deepEqual(reply.payload, { n: 1, s: "é" });
  assert.match(reply.activity, /^\S+$/);
  m.conn.json({ type: "send", name: "echo.ask", id: 7 }); // an integer id, no payload
  assert.deepEqual({ ...(await m.next()), activity: "" },
    { type: "message", name: "echo.answer", payload: null, activity: "", re: "7" });
  m.conn.close();
});

await step("errors: denied, timeout, malformed frames keep the connection open", async () => {
  const m = new Mailbox(await wsConnect(url));
  await m.welcome();
  m.conn.json({ type: "send", name: "secret.take", id: "d" });
  let e = await m.next();
  assert.equal(e.type, "error");
  assert.equal(e.re, "d");
  assert.equal(e.error, "denied");
  assert.ok(e.message.length > 0);
  m.conn.json({ type: "send", name: "echo.ignore", id: "t", timeout: 300 });
  e = await m.next(3000);
  assert.deepEqual([e.type, e.re, e.error], ["error", "t", "timeout"]);
  const bad = [
    "not json", "[1]", "{\"type\":\"send\"}", "{\"type\":\"subscribe\",\"name\":\"x\"}",
    "{\"type\":\"send\",\"name\":\"echo.ask\",\"id\":\"has space\"}",
    "{\"type\":\"send\",\"name\":\"echo.ask\",\"timeout\":-5,\"id\":\"q\"}",
  ];
  for (const text of bad) {
    m.conn.send(text);
    e = await m.next();
    assert.equal(e.type, "error", text);
    assert.equal(e.error, "bad-request", text);
  }
  assert.equal(e.re, "q"); // a bad frame whose id could be read is answered with it
  m.conn.frame(2, Buffer.from([1, 2, 3])); // binary
  e = await m.next();
  assert.equal(e.error, "bad-request");
  assert.match(e.message, /text/);
  m.conn.frame(1, Buffer.from([0x22, 0xff, 0xfe, 0x22])); // not UTF-8
  e = await m.next();
  assert.equal(e.error, "bad-request");
  // A message in three fragments is one message.
  const text = JSON.stringify({ type: "send", name: "echo.ask", payload: "frag", id: "f" });
  m.conn.frame(1, text.slice(0, 10), { fin: false });
  m.conn.frame(0, text.slice(10, 20), { fin: false });
  m.conn.frame(0, text.slice(20));
  const r = await m.next();
  assert.deepEqual([r.re, r.payload], ["f", "frag"]);
  m.conn.close();
});

await step("too large: a message over max-message-size + 1 KiB closes with 1009", async () => {
  let m = new Mailbox(await wsConnect(url));
  await m.welcome();
  // Just under the frame bound but over max-message-size: the core answers too-large.
  m.conn.json({ type: "send", name: "echo.ask", payload: "x".repeat(65536), id: "big" });
  const e = await m.next();
  assert.deepEqual([e.re, e.error], ["big", "too-large"]);
  m.conn.json({ type: "send", name: "echo.ask", payload: "x".repeat(70000), id: "huge" });
  assert.equal(await m.closed(), 1009);
  // Fragments that add up to too much, and a frame that only declares a huge length.
  m = new Mailbox(await wsConnect(url));
  await m.welcome();
  for (let i = 0; i < 20; i++) m.conn.frame(i ? 0 : 1, "x".repeat(4000), { fin: false });
  assert.equal(await m.closed(), 1009);
  m = new Mailbox(await wsConnect(url));
  await m.welcome();
  m.conn.frame(1, "x".repeat(100), { declaredLength: 2 ** 40 });
  assert.equal(await m.closed(), 1009);
});

await step("pushes reach every connection; replies only the asker", async () => {
  const a = new Mailbox(await wsConnect(url));
  const b = new Mailbox(await wsConnect(url));
  await a.welcome();
  await b.welcome();
  a.conn.json({ type: "send", name: "echo.shout", payload: { hello: "all" } });
  for (const m of [a, b]) {
    const p = await m.next();
    assert.deepEqual([p.type, p.name, p.re, p.payload], ["message", "echo.pushed", undefined,
      { hello: "all" }]);
  }
  // Interleaved requests with the same ids on both: each gets exactly its own answers.
  for (let i = 0; i < 50; i++) {
    a.conn.json({ type: "send", name: "echo.ask", payload: { from: "a", i }, id: String(i) });
    b.conn.json({ type: "send", name: "echo.ask", payload: { from: "b", i }, id: String(i) });
  }
  for (const [m, who] of [[a, "a"], [b, "b"]]) {
    const seen = new Set();
    for (let i = 0; i < 50; i++) {
      const r = await m.next();
      assert.equal(r.payload.from, who);
      assert.equal(r.re, String(r.payload.i));
      seen.add(r.payload.i);
    }
    assert.equal(seen.size, 50);
  }
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(a.queue.length + b.queue.length, 0, "nothing more arrived");
  a.conn.close();
  b.conn.close();
});

await step("the upgrade: path, subprotocol and Origin are checked", async () => {
  const refused = async (u, opts) => {
    try {
      await wsConnect(u, opts);
    } catch (e) {
      return e.status;
    }
    return 101;
  };
  assert.equal(await refused(url, { origin: "http://evil.example" }), 403);
  assert.equal(await refused(url, { protocol: null }), 400);
  assert.equal(await refused(url, { protocol: "chat" }), 400);
  assert.equal(await refused(`ws://127.0.0.1:${port}/other`), 404);
  assert.equal(await refused(url, { origin: `http://localhost:${port}` }), 101);
  assert.equal(await refused(url, { origin: null }), 101); // not a browser
  const c = new Mailbox(await wsConnect(url, { protocol: "chat, exo.v1" }));
  assert.equal(c.conn.protocol, "exo.v1");
  await c.welcome();
  c.conn.close();
});

await step("HTTP: /exo.js with an ETag and 304, static files, 426, 405", async () => {
  const js = await httpGet(port, "/exo.js");
  assert.equal(js.status, 200);
  assert.match(js.headers["content-type"], /^text\/javascript/);
  assert.match(js.body, /export function connect/);
  const again = await httpGet(port, "/exo.js", { "If-None-Match": js.headers.etag });
  assert.equal(again.status, 304);
  const index = await httpGet(port, "/");
  assert.equal(index.status, 200);
  assert.match(index.body, /wstest/);
  const plain = await httpGet(port, "/exo");
  assert.equal(plain.status, 426);
  assert.equal(JSON.parse(plain.body).error, "upgrade-required");
  const post = await httpGet(port, "/exo.js", {}, "POST");
  assert.equal(post.status, 405);
  assert.equal((await httpGet(port, "/../../etc/passwd")).status >= 400, true);
});

process.exit(0);
