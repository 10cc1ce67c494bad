// harness.mjs URL [--expect-failure]: the harness itself, against a static page the shell test
// serves: chromium starts, the page loads its module, a click changes the text, a screenshot is
// written. With --expect-failure it waits for text that never comes, to show that a failed
// check exits 1 with a failure screenshot.
import {run, until, fail} from './lib.mjs';

const [url, mode] = process.argv.slice(2);
if (!url) fail('usage: node harness.mjs URL [--expect-failure]');
const failing = mode === '--expect-failure';

run(failing ? 'harness-failing' : 'harness', async (b) => {
  const page = await b.page();
  await page.goto(url);
  if ((await page.locator('h1').textContent()) !== 'Harness check') fail('wrong heading');
  await page.getByRole('button', {name: 'Go'}).click();
  const want = failing ? 'text that never appears' : 'clicked in chromium';
  await until(`"${want}" in #out`,
    async () => (await page.locator('#out').textContent()) === want, failing ? 1000 : 10000);
  await b.shot(page, 'clicked');
});
