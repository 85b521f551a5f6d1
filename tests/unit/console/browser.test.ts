import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, findChromium } from '../../../src/console/pdf.ts';
import { estateReports, HOSTILE_IMG, HOSTILE_SCRIPT, siteDevices, siteName } from '../../helpers/console-estate.ts';
import { addAgent, addUsers, PASSWORD, postReport, serve, userToken, type Served } from '../../helpers/console-serve.ts';
import { freshPgDatabase, request } from '../central/helpers.ts';

/**
 * The review console in a real browser: Debian's Chromium driven by playwright-core, against a
 * real `camsweep central serve` process holding real reports (posted and signed as agents post
 * them). Every request every page makes is recorded (none may leave the origin), and every
 * dialog (a hostile device string that ran would open one).
 */

const T = 180_000;

/** The page's getComputedStyle, typed without the DOM library (the functions given to evaluate() run in the page). */
type Styled = { getComputedStyle: (el: unknown) => { borderTopStyle: string; display: string } };

let browser: Browser;
beforeAll(async () => {
  const executablePath = findChromium();
  if (executablePath === undefined) throw new Error('no Chromium: scripts/system-deps.ts installs Debian\'s chromium');
  browser = await chromium.launch({ executablePath, args: chromiumArgs(), timeout: 120_000 });
}, T);
afterAll(async () => browser?.close());

interface Watch {
  requests: string[];
  dialogs: string[];
  errors: string[];
}

async function newPage(context: BrowserContext, watch: Watch): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  page.on('request', (r) => watch.requests.push(r.url()));
  page.on('dialog', (d) => {
    watch.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => watch.errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') watch.errors.push(m.text());
  });
  return page;
}

async function signIn(page: Page, origin: string, user: string, password = PASSWORD, start = '/'): Promise<void> {
  await page.goto(`${origin}${start}`);
  expect(new URL(page.url()).pathname).toBe('/login');
  await page.fill('input[name="username"]', user);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForURL((u) => u.pathname !== '/login'), page.click('button[type="submit"]')]);
}

const STORES = [
  { name: 'embedded', store: (dir: string): Promise<string[]> => Promise.resolve(['--data-dir', path.join(dir, 'central')]) },
  { name: 'postgres', store: async (): Promise<string[]> => ['--database', await freshPgDatabase()] },
];

describe.each(STORES)('the console in Chromium ($name)', ({ store }) => {
  let dir: string;
  let served: Served;
  let viewerToken: string;
  const watch: Watch = { requests: [], dialogs: [], errors: [] };
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'camsweep-console-'));
    const op = { dir, store: await store(dir) };
    await addUsers(op, [
      ['rita', 'reviewer'],
      ['vic', 'viewer'],
    ]);
    viewerToken = await userToken(op, 'vic');
    const tokens = [await addAgent(op, 'agent-hq', siteName(0)), await addAgent(op, 'agent-wh', siteName(2))];
    served = await serve(op);
    const startedAt = new Date(Date.now() - 3600_000).toISOString();
    await postReport(served.reports, tokens[0]!, estateReports('agent-hq', siteName(0), siteDevices(0, 24, { hostile: true }), startedAt)[0]!);
    await postReport(served.reports, tokens[1]!, estateReports('agent-wh', siteName(2), siteDevices(2, 12), startedAt)[0]!);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page = await newPage(context, watch);
  }, T);

  afterAll(async () => {
    await context?.close();
    expect(await served?.stop()).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  }, T);

  it('sends a browser without a session to the sign-in form, inputs username and password; after it the list shows IPs, restricted first', async () => {
    await page.goto(`${served.origin}/devices`);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await page.locator('form input[name="username"]').count()).toBe(1);
    expect(await page.locator('form input[name="password"][type="password"]').count()).toBe(1);
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'camsweep_login')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

    await page.fill('input[name="username"]', 'rita');
    await page.fill('input[name="password"]', 'wrong password here');
    await page.click('button[type="submit"]');
    await expect.poll(() => page.locator('.error').textContent()).toContain('Wrong user name or password');

    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([page.waitForURL((u) => u.pathname === '/devices'), page.click('button[type="submit"]')]);
    const session = (await context.cookies()).find((c) => c.name === 'camsweep_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false });
    const statuses = await page.locator('table.devices tbody tr td:first-child').allTextContents();
    const ips = await page.locator('table.devices tbody tr td:nth-child(2)').allTextContents();
    expect(statuses.length).toBe(24 + 2 + 12);
    expect(statuses[0]).toBe('restricted');
    const order = ['restricted', 'review', 'exception', 'false-positive', 'replaced', 'clear'];
    const ranks = statuses.map((s) => order.indexOf(s.trim()));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(ips).toContain('10.20.0.2');
    expect(ips.every((ip) => /^10\.20\.\d+\.\d+$/u.test(ip.trim()))).toBe(true);
  }, T);

  it('filters and searches', async () => {
    await page.goto(`${served.origin}/devices`);
    await page.selectOption('select[name="status"]', 'review');
    await Promise.all([page.waitForURL((u) => u.searchParams.get('status') === 'review'), page.click('form.filters button[type="submit"]')]);
    const statuses = await page.locator('table.devices tbody tr td:first-child').allTextContents();
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((s) => s.trim() === 'review')).toBe(true);
    await page.goto(`${served.origin}/devices?site=${encodeURIComponent(siteName(2))}&maker=Dahua`);
    const rows = await page.locator('table.devices tbody tr').allTextContents();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.includes(siteName(2)) && r.includes('Dahua'))).toBe(true);
    await page.fill('input[name="q"]', '10.20.2.5');
    await page.selectOption('select[name="maker"]', '');
    await page.fill('input[name="site"]', '');
    await Promise.all([page.waitForURL((u) => u.searchParams.get('q') === '10.20.2.5'), page.click('form.filters button[type="submit"]')]);
    expect((await page.locator('table.devices tbody tr td:nth-child(2)').allTextContents()).map((s) => s.trim())).toEqual(['10.20.2.5']);
  }, T);

  it('shows a device: the verdict with its rule, pack and dated source, fingerprints, evidence, where it is', async () => {
    await page.goto(`${served.origin}/devices?status=restricted&site=${encodeURIComponent(siteName(0))}`);
    await Promise.all([page.waitForURL((u) => /^\/devices\/[0-9a-f]{16}$/u.test(u.pathname)), page.locator('table.devices tbody tr:first-child td:nth-child(2) a').click()]);
    const verdict = await page.locator('.verdict').textContent();
    expect(verdict).toMatch(/is restricted under rule (hikvision|dahua) of pack us-ndaa-889: Public Law 115-232, section 889, 2018-08-13/u);
    const text = await page.locator('main').textContent();
    expect(text).toContain('us-ndaa-889');
    expect(text).toContain('Fingerprints that fired');
    expect(await page.locator('h2:has-text("Evidence") + table tbody tr').count()).toBeGreaterThan(0);
    expect(text).toContain(siteName(0));
    expect(text).toContain('agent-hq');
    expect(text).toContain('eth0');
  }, T);

  it('records a reviewer\'s decision with who and when; a viewer sees it but gets 403', async () => {
    await page.goto(`${served.origin}/devices?status=restricted&q=10.20.0.3`);
    await Promise.all([page.waitForURL((u) => /^\/devices\/[0-9a-f]{16}$/u.test(u.pathname)), page.locator('table.devices tbody tr:first-child td:nth-child(2) a').click()]);
    const deviceUrl = page.url();
    const id = new URL(deviceUrl).pathname.split('/')[2]!;
    // An exception needs its end date and justification: refused without, with the reason.
    await page.check('input[name="state"][value="exception"]');
    await page.click('form.review button[type="submit"]');
    await expect.poll(() => page.locator('.error').textContent()).toContain('an exception needs an end date');
    await page.check('input[name="state"][value="exception"]');
    const until = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
    await page.fill('input[name="until"]', until);
    await page.fill('textarea[name="note"]', 'Replacement ordered, PO 4411 <b>not bold</b>');
    await Promise.all([page.waitForURL((u) => u.searchParams.get('reviewed') === '1'), page.click('form.review button[type="submit"]')]);
    const reviews = await page.locator('h2:has-text("Reviews") + table tbody tr').first().textContent();
    expect(reviews).toContain('rita');
    expect(reviews).toContain('exception');
    expect(reviews).toContain(until);
    expect(reviews).toContain('PO 4411 <b>not bold</b>');
    expect(await page.locator('h1 .badge').textContent()).toBe('exception');

    const viewer = await browser.newContext();
    const vpage = await newPage(viewer, watch);
    try {
      await signIn(vpage, served.origin, 'vic', PASSWORD, `/devices/${id}`);
      expect(vpage.url()).toBe(deviceUrl);
      expect(await vpage.locator('form.review').count()).toBe(0);
      expect(await vpage.locator('main').textContent()).toContain('you can see this device\'s reviews but not add one');
      const csrf = await vpage.locator('form[action="/logout"] input[name="_csrf"]').getAttribute('value');
      const res = await vpage.request.post(`${served.origin}/devices/${id}/review`, { form: { _csrf: csrf!, state: 'confirmed', note: '' }, headers: { origin: served.origin } });
      expect(res.status()).toBe(403);
      // The API answers a viewer's token alike.
      const api = await request(`${served.origin}/api/v1/devices/${id}/review`, {
        method: 'POST',
        headers: { authorization: `Bearer ${viewerToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ state: 'confirmed' }),
      });
      expect(api.status).toBe(403);
    } finally {
      await viewer.close();
    }
    // The reviewer's form without its CSRF token, or from another origin: refused.
    const noToken = await page.request.post(`${served.origin}/devices/${id}/review`, { form: { state: 'confirmed', note: '' }, headers: { origin: served.origin } });
    expect(noToken.status()).toBe(403);
    const csrf = await page.locator('form.review input[name="_csrf"]').getAttribute('value');
    const elsewhere = await page.request.post(`${served.origin}/devices/${id}/review`, { form: { _csrf: csrf!, state: 'confirmed', note: '' }, headers: { origin: 'http://evil.example' } });
    expect(elsewhere.status()).toBe(403);
  }, T);

  it('exports the current view as CSV and JSON', async () => {
    await page.goto(`${served.origin}/devices?status=restricted&site=${encodeURIComponent(siteName(2))}`);
    const shown = (await page.locator('table.devices tbody tr td:nth-child(2)').allTextContents()).map((s) => s.trim());
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('.exports a:has-text("CSV")')]);
    const csv = readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
    expect(csv[0]).toMatch(/^status,verdict,site,ip,mac,manufacturer,brand,model/u);
    expect(csv.slice(1).map((l) => l.split(',')[3])).toEqual(shown);
    expect(csv.slice(1).every((l) => l.startsWith('restricted,restricted,Warehouse North,'))).toBe(true);
    const json = await page.request.get(`${served.origin}/devices.json?status=restricted&site=${encodeURIComponent(siteName(2))}`);
    expect(json.headers()['content-disposition']).toMatch(/^attachment; filename="camsweep-devices-\d{4}-\d{2}-\d{2}\.json"$/u);
    const doc = (await json.json()) as { devices: Array<{ ip: string }> };
    expect(doc.devices.map((d) => d.ip)).toEqual(shown);
  }, T);

  it('renders the report as HTML with print styles and as a PDF', async () => {
    await page.goto(`${served.origin}/report?site=${encodeURIComponent(siteName(0))}`);
    expect(await page.locator('h1').textContent()).toBe(`Restricted surveillance devices: site ${siteName(0)}`);
    const text = await page.locator('body').textContent();
    expect(text).toContain('Rules and their legal sources');
    expect(text).toContain('Public Law 115-232, section 889');
    expect(text).toContain('Exceptions in force (1)');
    expect(text).toContain('PO 4411');
    expect(await page.locator('section.device').count()).toBeGreaterThan(10);
    // The report's styles applied (its nonce matched the policy): a figure box has its border.
    expect(await page.locator('.figure').first().evaluate((e) => (globalThis as unknown as Styled).getComputedStyle(e).borderTopStyle)).toBe('solid');
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.noprint').first().evaluate((e) => (globalThis as unknown as Styled).getComputedStyle(e).display)).toBe('none');
    await page.emulateMedia({ media: 'screen' });
    const pdf = await page.request.get(`${served.origin}/report.pdf?site=${encodeURIComponent(siteName(0))}`, { timeout: 150_000 });
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    const bytes = await pdf.body();
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(bytes.length).toBeGreaterThan(20_000);
  }, T);

  it('shows hostile device strings as text and runs none of them', async () => {
    await page.goto(`${served.origin}/devices?q=hostile`);
    const rows = page.locator('table.devices tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await page.locator('table.devices').textContent()).toContain(HOSTILE_SCRIPT);
    expect(await page.locator('table.devices').textContent()).toContain(HOSTILE_IMG);
    expect(await page.locator('table.devices img, table.devices script').count()).toBe(0);
    await Promise.all([page.waitForURL((u) => /^\/devices\/[0-9a-f]{16}$/u.test(u.pathname)), rows.first().locator('td:nth-child(2) a').click()]);
    const title = await page.locator('h1').textContent();
    expect(title!.includes(HOSTILE_SCRIPT) || title!.includes(HOSTILE_IMG)).toBe(true);
    expect(await page.locator('main img, main script').count()).toBe(0);
    await page.goto(`${served.origin}/`);
    await page.goto(`${served.origin}/report?site=${encodeURIComponent(siteName(0))}`);
    expect(await page.locator('body').textContent()).toContain(HOSTILE_SCRIPT);
    expect(await page.locator('body img, body script').count()).toBe(0);
    await page.waitForTimeout(500);
    expect(watch.dialogs).toEqual([]);
    expect(watch.requests.filter((u) => new URL(u).pathname === '/x')).toEqual([]);
  }, T);

  it('made no request off its origin, broke no rule of its Content-Security-Policy, threw no error', async () => {
    await page.goto(`${served.origin}/`);
    expect(await page.locator('svg.chart').count()).toBeGreaterThan(0);
    const res = await page.request.get(`${served.origin}/`);
    expect(res.headers()['content-security-policy']).toBe("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    expect(watch.requests.length).toBeGreaterThan(10);
    const off = watch.requests.filter((u) => !u.startsWith(`${served.origin}/`));
    expect(off).toEqual([]);
    // The refusals the tests asked for (400, 401, 403, 429) are logged by Chromium as failed loads; nothing else may be.
    expect(watch.errors.filter((e) => !/the server responded with a status of 4(00|01|03|29)\b/u.test(e))).toEqual([]);
    expect(watch.dialogs).toEqual([]);
  }, T);

  it('limits sign-in attempts, and signs out', async () => {
    const other = await browser.newContext();
    const p = await newPage(other, { requests: [], dialogs: [], errors: [] });
    try {
      let status = 0;
      for (let i = 0; i < 7 && status !== 429; i += 1) {
        await p.goto(`${served.origin}/login`);
        await p.fill('input[name="username"]', 'vic');
        await p.fill('input[name="password"]', `not the password ${i}`);
        const [res] = await Promise.all([p.waitForResponse((r) => r.url().endsWith('/login') && r.request().method() === 'POST'), p.click('button[type="submit"]')]);
        status = res.status();
      }
      expect(status).toBe(429);
      expect(await p.locator('.error').textContent()).toMatch(/Too many attempts: try again in \d+ s/u);
    } finally {
      await other.close();
    }
    await Promise.all([page.waitForURL((u) => u.pathname === '/login'), page.click('header form[action="/logout"] button')]);
    await page.goto(`${served.origin}/devices`);
    expect(new URL(page.url()).pathname).toBe('/login');
  }, T);
});
