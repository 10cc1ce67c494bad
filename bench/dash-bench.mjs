// bench/dash-bench.mjs - the browser side of bench/run-dash-bench.sh: exo run's dashboard
// open in Debian's chromium (headless, through tests/browser/lib.mjs and its pinned
// playwright-core), driven by lines on stdin:
//   frames MS EDGE   record the page's animation frames for MS milliseconds and print
//                    "frames n=N p50=.. p95=.. p99=.. max=.. over50=N counted=N click_ms=.."
//                    (frame intervals in ms; counted: how many messages the map's counter of
//                    edge EDGE grew by meanwhile; click_ms: a tab switch under that load)
//   quit             close the browser and exit 0
// It prints "ready" once the page is online on the map view (the busiest: edges animate).
// Usage: node dash-bench.mjs URL   with EXO_BROWSER_LIB=path/to/tests/browser/lib.mjs
import {createInterface} from 'node:readline';
import {pathToFileURL} from 'node:url';

const url = process.argv[2];
const {run, until} = await import(pathToFileURL(process.env.EXO_BROWSER_LIB).href);

// In the page: the intervals between animation frames for ms milliseconds.
function recordFrames(ms) {
  return new Promise((resolve) => {
    const gaps = [];
    let last = performance.now();
    const end = last + ms;
    const step = (now) => {
      gaps.push(now - last);
      last = now;
      if (now < end) requestAnimationFrame(step);
      else resolve(gaps);
    };
    requestAnimationFrame(step);
  });
}

function summary(gaps) {
  const v = [...gaps].sort((a, b) => a - b);
  const at = (q) => v[Math.min(v.length - 1, Math.ceil(q * v.length) - 1)].toFixed(1);
  return `n=${v.length} p50=${at(0.5)} p95=${at(0.95)} p99=${at(0.99)} ` +
    `max=${v[v.length - 1].toFixed(1)} over50=${v.filter((g) => g > 50).length}`;
}

// The map's counter of @edge (its data-delivered attribute), or -1 when the edge is not drawn.
async function delivered(page, edge) {
  const g = page.locator(`#map g.edge[data-edge="${edge}"]`);
  return (await g.count()) ? Number(await g.first().getAttribute('data-delivered')) : -1;
}

// A tab switch while the bus is busy: click, then the view is shown.
async function clickLatency(page) {
  const t0 = Date.now();
  await page.click('.tab[data-view=services]');
  await until('the services view', () => page.locator('#view-services').isVisible(), 10000);
  const ms = Date.now() - t0;
  await page.click('.tab[data-view=map]');
  await until('the map view', () => page.locator('#view-map').isVisible(), 10000);
  return ms;
}

run('dash-bench', async (b) => {
  const page = await b.page('dashboard');
  await page.goto(url);
  await until('the dashboard online',
    async () => (await page.getAttribute('#conn', 'data-state')) === 'online', 30000);
  await page.click('.tab[data-view=map]');
  await until('the map view', () => page.locator('#view-map').isVisible());
  console.log('ready');
  const lines = createInterface({input: process.stdin});
  for await (const line of lines) {
    const [cmd, ms, edge] = line.trim().split(/\s+/);
    if (cmd === 'quit') break;
    if (cmd !== 'frames') continue;
    const before = await delivered(page, edge);
    const gaps = await page.evaluate(recordFrames, Number(ms));
    const click = await clickLatency(page);
    const after = await delivered(page, edge);
    console.log(`frames ${summary(gaps)} counted=${after - before} click_ms=${click}`);
  }
});
