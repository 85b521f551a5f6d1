/**
 * `npm run screenshots`: the console's pictures in docs/images/ (shown in the README and
 * docs/console.md), taken by Debian's Chromium from a real `camsweep central serve` holding a
 * sample estate (tests/helpers/console-estate.ts: 24 sites, a month of daily sweeps, a few
 * reviews), all on loopback inside the private network namespace.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { addAgent as registerAgent } from '../src/central/admin.ts';
import { openEmbeddedStore } from '../src/central/store/embedded.ts';
import { chromiumArgs, findChromium } from '../src/console/pdf.ts';
import { seedEstate, siteName } from '../tests/helpers/console-estate.ts';
import { addUsers, PASSWORD, serve } from '../tests/helpers/console-serve.ts';

if (process.env.CAMSWEEP_PRIVATE_NETNS !== '1') {
  process.stderr.write('screenshots: run it through `npm run screenshots` (inside the private network namespace)\n');
  process.exit(1);
}

const out = new URL('../docs/images/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
const dir = mkdtempSync(path.join(os.tmpdir(), 'camsweep-screenshots-'));
const dataDir = path.join(dir, 'central');
const say = (s: string): void => void process.stdout.write(`${s}\n`);

try {
  const now = Date.now();
  const store = openEmbeddedStore(dataDir);
  say('screenshots: filling a sample estate (24 sites, 30 days)');
  const agents = await seedEstate(store, { sites: 24, perSite: 60, days: 30, now });
  for (const [i, id] of agents.entries()) await registerAgent(store, { id, site: siteName(i), now: new Date(now - 40 * 86_400_000) });
  await registerAgent(store, { id: 'agent-annex', site: 'Harbour Office', now: new Date(now - 40 * 86_400_000) });
  const page1 = await store.console.devicePage({ sort: 'site', limit: 12, status: 'restricted', site: siteName(0) });
  const at = new Date(now).toISOString();
  const day = (d: number): string => new Date(now + d * 86_400_000).toISOString().slice(0, 10);
  const [a, b, c, d] = page1.devices;
  await store.review(a!.id, { state: 'confirmed', note: 'Seen on site: lobby camera, replacement budgeted for Q1', until: null, by: 'rita', at });
  await store.review(b!.id, { state: 'exception', note: 'Isolated VLAN, no uplink; replacement ordered (PO 4411)', until: day(12), by: 'rita', at });
  await store.review(c!.id, { state: 'exception', note: 'Evidence locker camera, vendor support contract ends in March', until: day(25), by: 'rita', at });
  await store.review(d!.id, { state: 'replaced', note: 'Swapped for an Axis P3245 on ticket 8812', until: null, by: 'rita', at });
  await store.close();
  const op = { dir, store: ['--data-dir', dataDir] };
  await addUsers(op, [['rita', 'reviewer']]);
  const served = await serve(op);
  const executablePath = findChromium();
  if (executablePath === undefined) throw new Error('no Chromium: run scripts/system-deps.ts');
  const browser = await chromium.launch({ executablePath, args: chromiumArgs() });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.goto(`${served.origin}/`);
    await page.fill('input[name="username"]', 'rita');
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.click('button[type="submit"]')]);
    await page.setViewportSize({ width: 1280, height: 1180 });
    await page.screenshot({ path: path.join(out, 'console-overview.png') });
    await page.goto(`${served.origin}/devices`);
    await page.screenshot({ path: path.join(out, 'console-devices.png') });
    await page.goto(`${served.origin}/devices?brand=Lorex&site=${encodeURIComponent(siteName(1))}`);
    await page.locator('table.devices tbody tr:first-child td:nth-child(2) a').click();
    await page.waitForURL((u) => /^\/devices\/[0-9a-f]{16}$/u.test(u.pathname));
    await page.screenshot({ path: path.join(out, 'console-device.png'), fullPage: true });
    say(`screenshots: docs/images/console-{overview,devices,device}.png from ${served.origin}`);
  } finally {
    await browser.close();
    await served.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
