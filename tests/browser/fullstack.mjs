// fullstack.mjs URL FRONTEND_PID [NAME]: the fullstack template's page in headless chromium,
// against an app the shell test runs (`exo run`, process or docker backend):
//  - the page loads, connects and shows an empty list;
//  - adding items shows them; a second page (its own browser context) lists them, and sees
//    items added and deleted in the first one live (pushes through the bus);
//  - an empty item (refused by the service) and "Clear all" (todo.clear, which the web role
//    may not send: denied by the bus) each show a visible error, and change nothing;
//  - FRONTEND_PID (the `exo frontend web` unit) is killed: exo restarts it, both pages'
//    exo.js open a new WebSocket on their own, and adding and live updates work again.
// Screenshots of each step go to the artifacts directory as NAME-STEP.png.
import {run, until, fail} from './lib.mjs';

const [url, pidArg, name = 'fullstack'] = process.argv.slice(2);
if (!url || !pidArg) fail('usage: node fullstack.mjs URL FRONTEND_PID [NAME]');

// The texts of the items a page shows, in order.
const itemsOf = (page) => page.locator('#items li span').allTextContents();
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

async function waitItems(page, want, what, ms = 10000) {
  await until(`${what}: items ${JSON.stringify(want)}`, async () => same(await itemsOf(page), want), ms);
}

async function add(page, text) {
  await page.getByLabel('New item').fill(text);
  await page.getByRole('button', {name: 'Add'}).click();
}

// Count each page's WebSockets: a reconnect is a new one.
function trackSockets(page) {
  const sockets = {opened: 0, closed: 0};
  page.on('websocket', (ws) => {
    sockets.opened++;
    ws.on('close', () => sockets.closed++);
  });
  return sockets;
}

async function connected(page, what) {
  await until(`${what} connected`, async () =>
    (await page.locator('#status').textContent()) === 'Connected', 15000);
}

async function errorText(page) {
  const box = page.locator('#error');
  return (await box.isVisible()) ? box.textContent() : '';
}

run(name, async (b) => {
  // 1. The page loads, connects, lists nothing.
  const one = await b.page('one');
  const oneSockets = trackSockets(one);
  const res = await one.goto(url);
  if (!res.ok()) fail(`GET ${url}: HTTP ${res.status()}`);
  if (!(await one.title()).endsWith(': to-do list')) fail(`title: ${await one.title()}`);
  await connected(one, 'page one');
  await until('the empty note', () => one.locator('#empty').isVisible());
  await b.shot(one, '1-loaded');

  // 2. Adding items shows them (trimmed), and clears the field.
  await add(one, 'buy milk');
  await waitItems(one, ['buy milk'], 'page one after adding');
  await add(one, '  fix the bike  ');
  await waitItems(one, ['buy milk', 'fix the bike'], 'page one after adding twice');
  if ((await one.getByLabel('New item').inputValue()) !== '') fail('the field was not cleared');
  await b.shot(one, '2-added');

  // 3. A second page lists them, and sees what the first adds and deletes, live.
  const two = await b.page('two');
  const twoSockets = trackSockets(two);
  await two.goto(url);
  await connected(two, 'page two');
  await waitItems(two, ['buy milk', 'fix the bike'], 'page two on load');
  await add(one, 'call <b>Bob</b> & "Alice"');
  await waitItems(two, ['buy milk', 'fix the bike', 'call <b>Bob</b> & "Alice"'],
    'page two, live (pushed)', 5000);
  if (await two.locator('#items b').count() !== 0) fail('item text was rendered as HTML');
  await two.getByRole('button', {name: 'Delete "buy milk"'}).click();
  await waitItems(one, ['fix the bike', 'call <b>Bob</b> & "Alice"'], 'page one after page two deleted', 5000);
  await b.shot(two, '3-second-page-live');

  // 4. A refused item: the service says why, visibly; nothing is added.
  await add(one, '   ');
  await until('the refusal of an empty item', async () =>
    (await errorText(one)).includes('an item needs some text'));
  await b.shot(one, '4-refused-empty');
  // the next good request clears it
  await add(one, 'water the plants');
  await waitItems(one, ['fix the bike', 'call <b>Bob</b> & "Alice"', 'water the plants'], 'page one');
  await until('the error cleared', async () => (await errorText(one)) === '');

  // 5. A denied message: the web role may not send todo.clear; the bus refuses, the page says so.
  await one.getByRole('button', {name: 'Clear all'}).click();
  await until('the denial of todo.clear', async () => /denied/i.test(await errorText(one)));
  await b.shot(one, '5-denied');
  await waitItems(two, ['fix the bike', 'call <b>Bob</b> & "Alice"', 'water the plants'],
    'page two after the denied clear');

  // Nothing so far made the pages log an error or throw (a missing file, a script error).
  const errors = b.console.filter((l) => / (console\.error|error): /.test(l));
  if (errors.length) fail(`the pages reported errors:\n${errors.join('\n')}`);

  // 6. The frontend unit dies; exo restarts it; exo.js reconnects on both pages.
  const before = [oneSockets.opened, twoSockets.opened];
  process.kill(Number(pidArg), 'SIGKILL');
  await until('page one to lose its WebSocket', () => oneSockets.closed >= 1);
  await until('page one to open a new WebSocket', () => oneSockets.opened > before[0], 30000);
  await until('page two to open a new WebSocket', () => twoSockets.opened > before[1], 30000);
  await connected(one, 'page one after the restart');
  await connected(two, 'page two after the restart');
  await add(one, 'after the restart');
  await waitItems(two, ['fix the bike', 'call <b>Bob</b> & "Alice"', 'water the plants',
    'after the restart'], 'page two, live after the restart', 10000);
  await b.shot(one, '6-reconnected-one');
  await b.shot(two, '6-reconnected-two');
});
