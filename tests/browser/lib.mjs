// lib.mjs - the browser tests' harness: Debian's chromium, headless, driven by playwright-core
// (never a browser playwright downloads). A test is a module that calls run(NAME, async (b) => {...}).
//
//   EXO_CHROMIUM            the browser (default /usr/bin/chromium)
//   EXO_BROWSER_ARTIFACTS   where screenshots go (default tests/browser/artifacts beside this file)
//
// On failure every open page is screenshotted as NAME-failure-N.png, the error and the pages'
// console output are printed, and the process exits 1.
import {mkdirSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {chromium} from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const artifacts = process.env.EXO_BROWSER_ARTIFACTS || join(here, 'artifacts');

// Flags that work in a container without a sandbox, a GPU or network access beyond loopback.
const chromiumArgs = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export function fail(message) {
  throw new Error(message);
}

// Wait until fn() (in node) gives a truthy value; fail with @what after @ms.
export async function until(what, fn, ms = 10000) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) fail(`timed out after ${ms} ms waiting for ${what} (last: ${last})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

class Session {
  constructor(name, browser) {
    this.name = name;
    this.browser = browser;
    this.pages = [];
    this.shots = 0;
    this.console = [];
  }

  // A new page in a context of its own (its own cookies, like a second browser), logging
  // its console and page errors for the failure report.
  async page(label = `page${this.pages.length + 1}`) {
    const context = await this.browser.newContext();
    const page = await context.newPage();
    page.on('console', (m) => this.console.push(`${label} console.${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => this.console.push(`${label} error: ${e.message}`));
    this.pages.push(page);
    return page;
  }

  // Save a screenshot of @page as NAME-STEP.png in the artifacts directory.
  async shot(page, step) {
    const file = join(artifacts, `${this.name}-${step}.png`);
    await page.screenshot({path: file, fullPage: true});
    console.log(`screenshot: ${file}`);
    return file;
  }
}

export async function run(name, body) {
  mkdirSync(artifacts, {recursive: true});
  const browser = await chromium.launch({
    executablePath: process.env.EXO_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: chromiumArgs,
    timeout: 60000,
  });
  const session = new Session(name, browser);
  let status = 0;
  try {
    await body(session);
    console.log(`PASS: ${name}`);
  } catch (err) {
    status = 1;
    console.error(`FAIL: ${name}: ${err && err.stack ? err.stack : err}`);
    for (const [i, page] of session.pages.entries()) {
      try {
        await session.shot(page, `failure-${i + 1}`);
      } catch (e) {
        console.error(`(no screenshot of page ${i + 1}: ${e.message})`);
      }
    }
    for (const line of session.console) console.error(line);
  } finally {
    await browser.close();
  }
  process.exit(status);
}
