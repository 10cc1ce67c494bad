// tests/websocket/auth.mjs PORT: the websocket frontend's credential (?token=, Authorization:
// Bearer, the exo_session cookie) under `auth: {ask: session.check}` (tests/websocket/auth.sh),
// refusals, and pushes by user.
import assert from "node:assert/strict";
import { wsConnect } from "./wsclient.mjs";
import { Mailbox, sleep, step } from "./testkit.mjs";

const port = process.argv[2];
const url = `ws://127.0.0.1:${port}/exo`;
const open = async (u, opts) => new Mailbox(await wsConnect(u, opts));

let ann, ann2, bob;
await step("the credential from ?token=, a bearer token or the session cookie", async () => {
  ann = await open(`${url}?token=tok-ann`);
  assert.equal((await ann.welcome()).user, "ann");
  ann2 = await open(url, { headers: { Cookie: "theme=dark; exo_session=tok-ann" } });
  assert.equal((await ann2.welcome()).user, "ann");
  bob = await open(url, { headers: { Authorization: "Bearer tok-bob" } });
  assert.equal((await bob.welcome()).user, "bob");
  // ?token= wins over the cookie a browser sends by itself
  const both = await open(`${url}?token=tok-eve`, { headers: { Cookie: "exo_session=tok-ann" } });
  assert.equal((await both.welcome()).user, "eve");
  both.conn.close();
});

await step("a refused or missing credential: an error frame, then close 1008", async () => {
  for (const [u, opts, error] of [[`${url}?token=nope`, {}, "not-authorised"], [url, {}, "not-authorised"]]) {
    const m = await open(u, opts);
    const e = await m.next();
    assert.deepEqual([e.type, e.error], ["error", error]);
    assert.equal(await m.closed(), 1008);
  }
});

await step("a push for one user reaches only that user's connections", async () => {
  bob.conn.json({ type: "send", name: "echo.shout", payload: { user: "ann", text: "hi ann" } });
  for (const m of [ann, ann2]) {
    const p = await m.next();
    assert.deepEqual([p.name, p.payload.text], ["echo.pushed", "hi ann"]);
  }
  // and a push to everyone reaches bob too (so bob's silence above was not a lost message)
  ann.conn.json({ type: "send", name: "echo.shout", payload: { text: "all" } });
  assert.equal((await bob.next()).payload.text, "all");
  for (const m of [ann, ann2]) assert.equal((await m.next()).payload.text, "all");
  await sleep(200);
  assert.equal(bob.queue.length + ann.queue.length + ann2.queue.length, 0);
  for (const m of [ann, ann2, bob]) m.conn.close();
});

process.exit(0);
