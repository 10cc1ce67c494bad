// dashboard.mjs URL APP_DIR [NAME] [--terminal-log FILE] [--containers]: exo run's dashboard in headless
// chromium, against examples/todo running under exo run (the shell test starts it, on the
// process or docker backend). In order:
//  1. the page without its token, or with a wrong one, is refused (HTTP 403, and a WebSocket
//     with a wrong credential gets no welcome);
//  2. the services table shows every service ready, with a pid (--containers: and the id of
//     its container, as `docker ps` lists it);
//  3. after `exo send` traffic (and a denied todo.clear), the map's edge counters equal the
//     broker's (`exo bus status --json`), the denied message is on web>exo>todo.clear;
//  4. the inspector shows a todo.create activity's messages in order, and a payload on request;
//  5. the logs: lines of every service, filters by service and text, prefix colours as in the
//     terminal (--terminal-log: exo run's output in a pseudo-terminal, with ANSI colours);
//  6. a service killed with SIGKILL shows restarting, then ready with a new pid;
//  7. the Restart button restarts a service, Stop stops one and Start starts it again;
//  8. the Send form: a reply for an allowed message, "denied" for todo.clear.
// Screenshots: NAME-STEP.png in the artifacts directory. EXO_BIN runs exo send / bus status.
import {execFile} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {run, until, fail} from './lib.mjs';

const args = process.argv.slice(2);
const firstOpt = args.findIndex((a) => a.startsWith('--'));
const [url, app, name = 'dashboard'] = firstOpt >= 0 ? args.slice(0, firstOpt) : args;
const termLog = args.includes('--terminal-log') ? args[args.indexOf('--terminal-log') + 1] : null;
const containers = args.includes('--containers');
if (!url || !app) fail('usage: node dashboard.mjs URL APP_DIR [NAME] [--terminal-log FILE] [--containers]');
const exoBin = process.env.EXO_BIN || fail('EXO_BIN is not set');
const origin = new URL(url).origin;
const token = new URL(url).pathname.split('/')[1];

// exo ARGS...: {code, out, err}; never throws.
function exo(...argv) {
  return new Promise((resolve) => {
    execFile(exoBin, argv, {timeout: 30000}, (e, out, err) =>
      resolve({code: e ? (e.code ?? 1) : 0, out, err}));
  });
}

async function send(role, msg, payload, wait = true) {
  const argv = ['send', '--app', app, '--as', role, msg];
  if (payload !== undefined) argv.push(JSON.stringify(payload));
  if (wait) argv.push('--wait', '--timeout', '10000');
  return exo(...argv);
}

// ---- 1. the token ---------------------------------------------------------------------

async function refused(b) {
  for (const path of ['/', '/exo.js', '/index.html', `/${'0'.repeat(32)}/`, `/${token.slice(0, 16)}/`,
    `/${token.slice(0, 31)}${token.endsWith('0') ? '1' : '0'}/exo.js`]) {
    const res = await fetch(origin + path);
    if (res.status !== 403) fail(`GET ${path}: HTTP ${res.status}, expected 403`);
  }
  const page = await b.page('no-token');
  const res = await page.goto(`${origin}/`);
  if (res.status() !== 403) fail(`the page without its token: HTTP ${res.status()}, expected 403`);
  if (await page.locator('#units').count()) fail('the page without its token shows the dashboard');
  await b.shot(page, '0-no-token');
  const wrong = await page.goto(`${origin}/${'f'.repeat(32)}/`);
  if (wrong.status() !== 403) fail(`the page with a wrong token: HTTP ${wrong.status()}, expected 403`);
  await page.close();
}

// A WebSocket at the right path with a wrong credential (and one at the root) gets no welcome.
async function refusedSockets(page) {
  const r = await page.evaluate(async ([base, tok]) => {
    const attempt = (u) => new Promise((resolve) => {
      const got = [];
      const ws = new WebSocket(u, 'exo.v1');
      ws.onmessage = (ev) => got.push(JSON.parse(ev.data).type);
      ws.onclose = (ev) => resolve({closed: true, code: ev.code, got});
      setTimeout(() => resolve({closed: false, got}), 5000);
    });
    return {
      wrong: await attempt(`${base}/${tok}/exo?token=${'0'.repeat(32)}`),
      none: await attempt(`${base}/${tok}/exo`),
      root: await attempt(`${base}/exo`),
    };
  }, [origin.replace(/^http/, 'ws'), token]);
  for (const [k, v] of Object.entries(r)) {
    if (v.got.includes('welcome')) fail(`a WebSocket with ${k} credential was welcomed: ${JSON.stringify(v)}`);
    if (!v.closed) fail(`a WebSocket with ${k} credential stayed open: ${JSON.stringify(v)}`);
  }
}

// ---- 2. services ------------------------------------------------------------------------

const row = (page, unit) => page.locator(`#units tbody tr[data-unit="${unit}"]`);
const attr = (loc, a) => loc.getAttribute(a);

async function allReady(page, units) {
  await until(`every service ready (${units})`, async () => {
    for (const u of units) {
      if ((await attr(row(page, u), 'data-state')) !== 'ready') return false;
      if (!/^\d+$/.test(await attr(row(page, u), 'data-pid'))) return false;
    }
    return true;
  }, 30000);
  if (!containers) return;
  const ps = await new Promise((resolve) => execFile('docker', ['ps', '--no-trunc', '--filter', 'label=exo.app=todo',
    '--format', '{{.ID}}'], (e, out) => resolve(e ? '' : out)));
  for (const u of units) {
    const id = await attr(row(page, u), 'data-container');
    if (!/^[0-9a-f]{12,64}$/.test(id) || !ps.split('\n').some((full) => full.startsWith(id))) {
      fail(`${u}'s container "${id}" is not among the app's containers: ${ps}`);
    }
  }
}

async function view(page, v) {
  await page.locator(`.tab[data-view="${v}"]`).click();
  await until(`the ${v} view`, () => page.locator(`#view-${v}`).isVisible());
}

// ---- 3. the map against the broker --------------------------------------------------------

const COUNTS = ['delivered', 'denied', 'no_receiver', 'dropped'];

async function mapEdges(page) {
  return page.$$eval('#map g.edge', (gs) => gs.map((g) => ({
    id: g.dataset.edge, from: g.dataset.from, to: g.dataset.to, name: g.dataset.name,
    delivered: +g.dataset.delivered, denied: +g.dataset.denied,
    no_receiver: +g.dataset.noReceiver, dropped: +g.dataset.dropped,
  })));
}

// The broker counts per route (sender, public name), over its receivers; the map per edge
// (sender, receiver, name): the edges of a route must add up to it, and no edge may count
// what no route did.
function compare(routes, edges) {
  const diffs = [];
  const key = (s, n) => `${s} ${n}`;
  const sums = new Map();
  for (const e of edges) {
    const k = key(e.from, e.name);
    const sum = sums.get(k) || {delivered: 0, denied: 0, no_receiver: 0, dropped: 0};
    for (const c of COUNTS) sum[c] += e[c];
    sums.set(k, sum);
  }
  for (const r of routes) {
    const k = key(r.sender, r.public ?? r.name);
    const sum = sums.get(k) || {delivered: 0, denied: 0, no_receiver: 0, dropped: 0};
    for (const c of COUNTS) if ((r[c] || 0) !== sum[c]) diffs.push(`${k} ${c}: broker ${r[c]}, map ${sum[c]}`);
    sums.delete(k);
  }
  for (const [k, sum] of sums) {
    for (const c of COUNTS) if (sum[c]) diffs.push(`${k} ${c}: map ${sum[c]}, no such route in the broker`);
  }
  return diffs;
}

async function traffic() {
  for (const text of ['buy milk', 'write the report', 'call Bob']) {
    const r = await send('web', 'todo.create', {text});
    if (r.code !== 0) fail(`exo send todo.create: exit ${r.code}: ${r.err}`);
  }
  for (const [msg, want] of [['todo.list', 'todo.listing'], ['stats.get', 'stats.report']]) {
    const r = await send('web', msg);
    if (r.code !== 0 || !r.out.includes(want)) fail(`exo send ${msg}: exit ${r.code}: ${r.out} ${r.err}`);
  }
  // Not in web's sends: the broker denies it (the map and the broker's counters tell).
  await send('web', 'todo.clear', undefined, false);
}

// @want: how many todo.create the map must show delivered, and todo.clear denied.
async function mapMatchesBroker(page, want) {
  // (a condition not met yet throws, so that a timeout says which)
  await until('the map\'s counters to equal the broker\'s', async () => {
    const st = await exo('bus', 'status', '--app', app, '--json');
    if (st.code !== 0) fail(`exo bus status --json: exit ${st.code}: ${st.err}`);
    const routes = JSON.parse(st.out).routes;
    const total = routes.reduce((a, r) => a + r.delivered, 0);
    const edges = await mapEdges(page);
    const diffs = compare(routes, edges);
    if (diffs.length) throw new Error(diffs.join('; '));
    if (total < want.total) throw new Error(`only ${total} delivered: ${JSON.stringify(routes)}`);
    // exo send returns before the broker refuses: wait for the denial too
    const denied = edges.find((e) => e.id === 'web>exo>todo.clear');
    if (!denied || denied.denied !== want.denied) {
      throw new Error(`no ${want.denied} denied todo.clear on web>exo>todo.clear: ${JSON.stringify(edges)}; broker: ${JSON.stringify(routes)}`);
    }
    return true;
  }, 15000);
  const edges = await mapEdges(page);
  const cls = await page.locator('#map g.edge[data-edge="web>exo>todo.clear"]').getAttribute('class');
  if (!/\bbad\b/.test(cls)) fail(`the denied edge is not marked bad: class "${cls}"`);
  // Every declared route of the app is drawn, with its translation shown.
  const create = edges.find((e) => e.id === 'web>todos>todo.create');
  if (!create || create.delivered !== want.create) fail(`web>todos>todo.create: ${JSON.stringify(create)}`);
  const label = await page.locator('#map [data-edge-label="web>todos>todo.create"] .l1').textContent();
  if (label !== 'todo.create → item.create') fail(`the translated edge's label: "${label}"`);
  for (const id of ['todos>stats>todo.created', 'web>stats>stats.get', 'stats>web>stats.report', 'web>todos>todo.list']) {
    if (!edges.some((e) => e.id === id)) fail(`the map lacks the declared edge ${id}: ${edges.map((e) => e.id)}`);
  }
  await until('the denied message in the recent list',
    () => page.locator('#recent li[data-outcome="denied"]').count());
}

// ---- 4. the inspector -------------------------------------------------------------------------

async function inspector(page, b) {
  const item = page.locator('#recent li[data-outcome="delivered"]', {hasText: 'todo.create'}).first();
  const activity = await item.getAttribute('data-activity');
  await item.click();
  await until('the inspector', () => page.locator('#view-inspector').isVisible());
  await checkActivity(page, activity);
  // the denied todo.clear's activity: one message, denied, to nobody
  await view(page, 'map');
  const denied = page.locator('#recent li[data-outcome="denied"]').first();
  const deniedActivity = await denied.getAttribute('data-activity');
  await denied.click();
  const status = page.locator('#activity-status');
  await until('the denied activity', async () => (await status.getAttribute('data-activity')) === deniedActivity &&
    (await status.getAttribute('data-status')) === 'ok' &&
    JSON.stringify(await page.$$eval('#activity tbody tr[data-seq]', (trs) => trs.map((tr) =>
      [tr.dataset.outcome, tr.querySelector('[data-field="name"]').textContent,
        tr.querySelector('[data-field="receiver"]').textContent]))) === '[["denied","todo.clear","–"]]');
  // the first one again, its id typed by hand
  await page.locator('#activity-id').fill(activity);
  await page.locator('#activity-show').click();
  await checkActivity(page, activity);
  const first = page.locator('#activity tbody tr[data-seq]').first();
  const seq = await first.getAttribute('data-seq');
  await first.locator('button[data-payload-seq]').click();
  const pre = page.locator(`pre[data-payload-of="${seq}"]`);
  await until('the first message\'s payload', async () => /"text": "(buy milk|write the report|call Bob)"/.test(await pre.textContent()));
  await b.shot(page, '3-inspector');
}

async function checkActivity(page, activity) {
  const status = page.locator('#activity-status');
  // (read in one go with the status: a new request redraws the table)
  const rows = await until(`the activity ${activity}`, async () => {
    if ((await status.getAttribute('data-activity')) !== activity) return false;
    if ((await status.getAttribute('data-status')) !== 'ok') return false;
    const got = await page.$$eval('#activity tbody tr[data-seq]', (trs) => trs.map((tr) => ({
      seq: +tr.dataset.seq, outcome: tr.dataset.outcome,
      sender: tr.querySelector('[data-field="sender"]').textContent,
      receiver: tr.querySelector('[data-field="receiver"]').textContent,
      name: tr.querySelector('[data-field="name"]').textContent,
    })));
    return got.length >= 3 ? got : false;
  });
  const show = JSON.stringify(rows);
  const [req, ...rest] = rows;
  if (req.sender !== 'web' || req.receiver !== 'todos' || req.name !== 'todo.create → item.create') fail(`first message: ${show}`);
  const replies = rest.map((r) => `${r.sender}>${r.receiver}>${r.name}`).sort();
  if (JSON.stringify(replies) !== JSON.stringify(['todos>stats>item.created → todo.created', 'todos>web>item.created → todo.created'])) fail(`the replies: ${show}`);
  for (let i = 1; i < rows.length; i++) if (rows[i].seq <= rows[i - 1].seq) fail(`not in order: ${show}`);
  if (rows.some((r) => r.outcome !== 'delivered')) fail(`outcomes: ${show}`);
}

// ---- 5. logs ------------------------------------------------------------------------------------

// The prefix colours exo run used in the terminal: "\e[36m  web\e[0m | ...".
function terminalColours(file) {
  const colours = {};
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/\x1b\[(\d+)m *([A-Za-z0-9_.-]+)\x1b\[0m \| /g)) colours[m[2]] = Number(m[1]);
  return colours;
}

async function logs(page, b) {
  await view(page, 'logs');
  await until('lines of todos and stats', async () =>
    (await page.locator('#log-rows .ln[data-unit="todos"]').count()) > 0 &&
    (await page.locator('#log-rows .ln[data-unit="stats"]').count()) > 0);
  await b.shot(page, '4-logs');
  if (termLog) {
    const want = terminalColours(termLog);
    for (const unit of ['exo', 'web', 'todos', 'stats']) {
      if (!want[unit]) fail(`no colour of ${unit} in exo run's terminal output`);
      await page.locator('#log-unit').selectOption(unit);
      const pfx = page.locator(`#log-rows .ln[data-unit="${unit}"] .pfx`).first();
      await until(`a line of ${unit}`, () => pfx.count());
      const cls = await pfx.getAttribute('class');
      if (!cls.split(' ').includes(`c${want[unit]}`)) fail(`${unit}'s prefix: class "${cls}", the terminal's colour is ${want[unit]}`);
    }
  }
  await page.locator('#log-unit').selectOption('todos');
  await page.locator('#log-text').fill('buy MILK');
  await until('the filtered lines', async () => {
    const lines = await page.$$eval('#log-rows .ln', (ls) => ls.map((l) => [l.dataset.unit, l.textContent]));
    return lines.length > 0 && lines.every(([u, t]) => u === 'todos' && /buy milk/.test(t));
  });
  await b.shot(page, '4-logs-filtered');
  await page.locator('#log-text').fill('');
  await page.locator('#log-unit').selectOption('');
}

// ---- 6, 7. steering the services ------------------------------------------------------------------

// Record every state the row of @unit goes through, as the page shows it.
async function watchStates(page, unit) {
  await page.evaluate((u) => {
    window.seenStates = window.seenStates || {};
    window.seenStates[u] = [];
    const tr = document.querySelector(`#units tbody tr[data-unit="${u}"]`);
    new MutationObserver(() => window.seenStates[u].push(tr.dataset.state))
      .observe(tr, {attributes: true, attributeFilter: ['data-state']});
  }, unit);
}

async function killed(page, b, unit) {
  await view(page, 'services');
  const r = row(page, unit);
  const pid = Number(await attr(r, 'data-pid'));
  const restarts = Number(await attr(r, 'data-restarts'));
  await watchStates(page, unit);
  process.kill(pid, 'SIGKILL');
  await until(`${unit} restarting`, async () => (await attr(r, 'data-state')) === 'restarting' ||
    (await page.evaluate((u) => window.seenStates[u], unit)).includes('restarting'));
  await b.shot(page, '5-restarting');
  await until(`${unit} ready again with a new pid`, async () => (await attr(r, 'data-state')) === 'ready' &&
    Number(await attr(r, 'data-pid')) !== pid, 30000);
  if (Number(await attr(r, 'data-restarts')) !== restarts + 1) fail(`${unit}'s restarts: ${await attr(r, 'data-restarts')}`);
  const text = await r.locator('[data-field="restarts"]').textContent();
  if (!/KILL|9/.test(text)) fail(`${unit}'s restarts do not say SIGKILL: "${text}"`);
  await b.shot(page, '5-restarted');
}

async function buttons(page, b) {
  const r = row(page, 'todos');
  const pid = Number(await attr(r, 'data-pid'));
  await r.locator('button[data-action="restart"]').click();
  await until('todos restarted by the button', async () => (await attr(r, 'data-state')) === 'ready' &&
    Number(await attr(r, 'data-pid')) !== pid, 30000);
  const s = row(page, 'stats');
  await s.locator('button[data-action="stop"]').click();
  await until('stats stopped', async () => (await attr(s, 'data-state')) === 'stopped');
  if (!(await s.locator('button[data-action="start"]').isVisible())) fail('no Start button on a stopped service');
  await b.shot(page, '6-stopped');
  await s.locator('button[data-action="start"]').click();
  await until('stats started again', async () => (await attr(s, 'data-state')) === 'ready', 30000);
  if (await page.locator('#unit-error').isVisible()) fail(`an error: ${await page.locator('#unit-error').textContent()}`);
}

// ---- 8. send --------------------------------------------------------------------------------------

async function sendForm(page, b) {
  await view(page, 'send');
  const roles = await page.$$eval('#send-role option', (os) => os.map((o) => o.value));
  if (!roles.includes('web')) fail(`the roles that may send: ${roles}`);
  await page.locator('#send-role').selectOption('web');
  await page.locator('#send-name').fill('todo.create');
  await page.locator('#send-payload').fill('{"text": "from the page"}');
  await page.locator('#send-go').click();
  const result = page.locator('#send-result');
  await until('the reply', async () => (await result.getAttribute('data-outcome')) === 'delivered' &&
    /todo\.created/.test(await result.textContent()) && /from the page/.test(await result.textContent()));
  await b.shot(page, '7-send-reply');
  await page.locator('#send-name').fill('todo.clear');
  await page.locator('#send-payload').fill('');
  await page.locator('#send-go').click();
  await until('the denial', async () => (await result.getAttribute('data-outcome')) === 'denied' &&
    /denied/.test(await result.locator('[data-field="error"]').textContent()));
  await b.shot(page, '7-send-denied');
  await page.locator('#send-payload').fill('{not json');
  await page.locator('#send-name').fill('todo.create');
  await page.locator('#send-go').click();
  await until('the refusal of bad JSON', async () => (await result.getAttribute('data-outcome')) === 'error' &&
    /not JSON/.test(await result.textContent()));
}

run(name, async (b) => {
  await refused(b);
  const page = await b.page('dashboard');
  // The page's own WebSockets (with the run's token): one, unless the page lost it.
  const sockets = [];
  page.on('websocket', (ws) => { if (ws.url().includes(`token=${token}`)) sockets.push(ws.url()); });
  const res = await page.goto(url);
  if (!res.ok()) fail(`GET ${url}: HTTP ${res.status()}`);
  await until('the dashboard connected', async () => (await page.locator('#conn').getAttribute('data-state')) === 'online', 15000);
  await until('the app\'s name', async () => (await page.locator('#app-name').textContent()) === 'todo');
  await allReady(page, ['web', 'todos', 'stats']);
  await b.shot(page, '1-services');
  await refusedSockets(page);

  await view(page, 'map');
  await traffic();
  // 3 todo.create (each: the request, the reply to web, the copy to stats), a todo.list and a
  // stats.get (request and reply): 13 delivered.
  await mapMatchesBroker(page, {total: 13, create: 3, denied: 1});
  await b.shot(page, '2-map');
  await inspector(page, b);
  await logs(page, b);
  await killed(page, b, 'stats');
  await buttons(page, b);
  await sendForm(page, b);
  await view(page, 'map');
  // and the page's own todo.create and todo.clear
  await mapMatchesBroker(page, {total: 16, create: 4, denied: 2});
  await b.shot(page, '8-map-after');

  if (sockets.length !== 1) fail(`the page opened ${sockets.length} WebSockets: it lost its connection`);
  const errors = b.console.filter((l) => / (console\.error|error): /.test(l) && !/403/.test(l));
  if (errors.length) fail(`the page reported errors:\n${errors.join('\n')}`);
});
