/**
 * The audit report in a real browser: Debian's Chromium driven by playwright-core, the file opened from
 * file:// with XSS payloads planted in a value, a column name, a dataset name and a file name.
 * Under CI=true the suite must run; elsewhere it is skipped (with the reason printed) without Chromium.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/core/inventory.ts';
import { renderAuditReport } from '../../src/report/html/report-html.ts';
import { fixtureDocuments, XSS } from './report-fixtures.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const artifacts = join(root, 'tests/artifacts');
const available = existsSync(CHROMIUM);

if (!available) {
  if (process.env.CI === 'true')
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (CI must run the browser tests)`);
  console.warn(`skipping the browser tests: ${CHROMIUM} not found (apt-get install -y chromium)`);
}

/** A page with everything it logs, requests and throws recorded. */
interface Watched {
  readonly page: Page;
  readonly errors: string[];
  readonly requests: string[];
}

describe.skipIf(!available)('audit report in Chromium', () => {
  let dir: string;
  let userDataDir: string;
  let context: BrowserContext;
  let reportUrl: string;
  let frenchUrl: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stocktake-report-'));
    userDataDir = mkdtempSync(join(tmpdir(), 'stocktake-chromium-'));
    const docs = fixtureDocuments({ xss: true });
    const english = join(dir, 'report.html');
    writeFileSync(english, renderAuditReport({ ...docs, lang: 'en' }));
    const french = join(dir, 'rapport.html');
    writeFileSync(french, renderAuditReport({ ...fixtureDocuments(), lang: 'fr' }));
    reportUrl = pathToFileURL(english).href;
    frenchUrl = pathToFileURL(french).href;
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1280, height: 900 },
    });
    mkdirSync(artifacts, { recursive: true });
  });

  afterAll(async () => {
    await context?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  async function open(url: string, hash = ''): Promise<Watched> {
    const page = await context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${url}${hash}`);
    await page.waitForSelector('body[data-ready]');
    return { page, errors, requests };
  }

  const go = async (page: Page, hash: string) => {
    await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
    await page.waitForFunction(`location.hash === ${JSON.stringify(`#${hash}`)}`);
  };
  const xss = (page: Page) => page.evaluate('window.__xss');

  it('loads from file:// with no console error and no request but the file itself', async () => {
    const { page, errors, requests } = await open(reportUrl);
    await expect.poll(() => page.locator('#view-overview h2').textContent()).toBe('Overview');
    for (const hash of [
      'browse',
      'findings',
      'relations',
      'plan',
      'dataset=crm.public.customers&column=balance',
    ]) {
      await go(page, hash);
    }
    expect(errors).toEqual([]);
    expect(requests).toEqual([reportUrl]);
    await page.close();
  });

  it('searches, filters and sorts the inventory', async () => {
    const { page, errors } = await open(reportUrl, '#browse');
    const rows = page.locator('#browse-results tbody tr');
    await expect.poll(() => rows.count()).toBe(7);
    await page.fill('#search', 'email');
    await expect.poll(() => rows.count()).toBe(1);
    await expect.poll(() => rows.first().textContent()).toContain('public.customers');
    await page.click('button[data-mode=columns]');
    await expect.poll(() => rows.count()).toBe(1);
    await expect.poll(() => rows.first().textContent()).toContain('email');
    await page.fill('#search', '');
    await page.check('#personal-only');
    await expect.poll(() => rows.count()).toBe(1);
    await page.uncheck('#personal-only');
    await page.click('button[data-mode=datasets]');
    // Rows, largest first on the first click.
    await page.click('#browse-results th:has-text("Rows")');
    await expect.poll(() => rows.first().textContent()).toContain('public.order_lines');
    await page.click('#browse-results th:has-text("Rows")');
    await expect.poll(() => rows.first().textContent()).toContain('public.<img');
    // Readiness, highest first; then lowest first; datasets without a score stay last either way.
    await page.click('#browse-results th:has-text("Readiness")');
    await expect.poll(() => rows.first().textContent()).toContain('public.<img');
    await page.click('#browse-results th:has-text("Readiness")');
    await expect.poll(() => rows.first().textContent()).toContain('clients');
    await expect.poll(() => rows.last().textContent()).toContain('—');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('navigates by hash links: dataset, column, findings, relations, back', async () => {
    const { page, errors } = await open(reportUrl, '#browse');
    await page.click('#browse-results a:text-is("public.orders")');
    await expect.poll(() => page.url()).toMatch(/#dataset=crm\.public\.orders$/);
    await expect.poll(() => page.locator('#view-app h2').textContent()).toBe('public.orders');
    await expect.poll(() => page.locator('#view-app').textContent()).toContain('Orphans: 12');
    await page.click('#view-app a:text-is("crm.public.customers")');
    await expect.poll(() => page.locator('#view-app h2').textContent()).toBe('public.customers');
    await page.click('#columns-table a:text-is("name")');
    await expect.poll(() => page.locator('tr.detail').textContent()).toContain('Case and accent variants');
    await page.goBack();
    await expect.poll(() => page.locator('tr.detail').count()).toBe(0);
    // The whole row opens its column, not only the name's link.
    await page.click('#columns-table tr[data-column="email"] td.num >> nth=0');
    await expect.poll(() => page.url()).toMatch(/&column=email$/);
    await page.goBack();
    await go(page, 'findings=ORPHAN_ROWS');
    await expect.poll(() => page.locator('#findings-results tbody tr').count()).toBe(1);
    await go(page, 'relations');
    await expect.poll(() => page.locator('#relations-diagram .node').count()).toBe(4);
    await expect.poll(() => page.locator('#relations-diagram path.edge.inferred').count()).toBe(1);
    await page.click('#relations-diagram a.node[data-id="crm.public.orders"]');
    await expect.poll(() => page.locator('#view-app h2').textContent()).toBe('public.orders');
    await go(page, 'relations=crm.public.orders');
    await expect.poll(() => page.locator('#relations-diagram .node').count()).toBe(3);
    await go(page, 'plan');
    // The plan says when it was computed and that it wrote nothing, not that it is provisional.
    await expect
      .poll(() => page.locator('#view-app .banner.note').first().textContent())
      .toBe(
        'Dry run of 20 November 2026 at 09:25 (UTC): nothing was written. Counts are exact; the rows below are samples.',
      );
    await expect
      .poll(() => page.locator('.plan-diff del.old').first().textContent())
      .toBe('J.Dupont@Example.FR ');
    await expect
      .poll(() => page.locator('.plan-diff ins.new').first().textContent())
      .toBe('j.dupont@example.fr');
    await expect.poll(() => page.getByText('external_id=CRM-42').count()).toBe(1);
    // A reject shows its kind, code and reason, even one that changes no field.
    const rejected = page.locator('.plan-diff tr.reject');
    await expect.poll(() => rejected.count()).toBe(4);
    await expect.poll(() => rejected.nth(0).textContent()).toBe('external_id=CSV-C00018reject');
    await expect
      .poll(() => rejected.nth(1).textContent())
      .toBe('REJECT_SOURCE_ROW: the row has a field past the header');
    await expect
      .poll(() => rejected.nth(3).locator('td.reason').textContent())
      .toContain('REJECT_TYPE: number: ');
    // Names of Object.prototype's members are no views: they show the overview.
    for (const hash of ['constructor', 'toString', '__defineGetter__']) {
      await go(page, hash);
      await expect.poll(() => page.locator('#view-overview').isVisible()).toBe(true);
      await expect.poll(() => page.title()).not.toContain('function');
    }
    await go(page, 'overview');
    await expect.poll(() => page.locator('#view-overview').isVisible()).toBe(true);
    await expect.poll(() => page.locator('#view-app').isHidden()).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('never executes planted payloads and shows them as text in every view', async () => {
    const { page, errors } = await open(reportUrl);
    const evilDataset = `crm.public.${XSS.img}`;
    const hashes = [
      'browse',
      'findings',
      'relations',
      'plan',
      `dataset=${encodeURIComponent(evilDataset)}`,
      `dataset=${encodeURIComponent(evilDataset)}&column=${encodeURIComponent(`note${XSS.svg}`)}`,
      'dataset=crm.public.customers&column=name',
      'dataset=clients.clients',
    ];
    await expect.poll(() => page.locator('#view-overview').textContent()).toContain(XSS.img);
    for (const hash of hashes) {
      await go(page, hash);
      expect(await xss(page)).toBeUndefined();
    }
    await go(
      page,
      `dataset=${encodeURIComponent(evilDataset)}&column=${encodeURIComponent(`note${XSS.svg}`)}`,
    );
    await expect.poll(() => page.locator('#view-app h2').textContent()).toBe(`public.${XSS.img}`);
    await expect.poll(() => page.locator('#columns-table').textContent()).toContain(`note${XSS.svg}`);
    await expect.poll(() => page.locator('tr.detail').textContent()).toContain(XSS.script);
    await go(page, 'dataset=clients.clients');
    await expect.poll(() => page.locator('#view-app').textContent()).toContain(`/data/${XSS.script}.csv`);
    await go(page, 'browse');
    await page.fill('#search', 'note');
    await page.click('button[data-mode=columns]');
    await expect.poll(() => page.locator('#browse-results').textContent()).toContain(`note${XSS.svg}`);
    // No element the payloads would create exists anywhere.
    expect(await page.locator('img, main svg[onload], [onerror], [onload]').count()).toBe(0);
    expect(await xss(page)).toBeUndefined();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('goes back to the first page when a filter changes, and names every filter for screen readers', async () => {
    // 350 datasets in two sources: four pages of 100.
    const docs = fixtureDocuments();
    const [first, second] = docs.inventory.sources;
    const template = first!.datasets[0]!;
    for (let i = 0; i < 350; i++)
      ((i % 2 ? second! : first!).datasets as Dataset[]).push({
        ...template,
        name: `public.copy_${i}`,
        table: `copy_${i}`,
      });
    const file = join(dir, 'wide.html');
    writeFileSync(file, renderAuditReport({ ...docs, lang: 'en' }));
    const { page, errors } = await open(pathToFileURL(file).href, '#browse');
    const next = page.locator('#browse-results button:has-text("Next")');
    await next.click();
    await next.click();
    await expect.poll(() => page.locator('#browse-results').textContent()).toContain('Page 3 of 4');
    // The keyboard focus stays where it was: on Next after paging, on the header after sorting.
    await next.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#browse-results').textContent()).toContain('Page 4 of 4');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Previous');
    await page.locator('#browse-results th:has-text("Rows")').focus();
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Rows');
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement.getAttribute("aria-sort")')).toBe('ascending');
    await page.click('#browse-results button:has-text("Next")');
    await page.click('#browse-results button:has-text("Next")');
    await page.selectOption('#view-app .controls select >> nth=0', second!.name);
    await expect.poll(() => page.locator('#browse-results').textContent()).toContain('Page 1 of 2');
    await next.click();
    await page.check('#personal-only');
    await expect.poll(() => page.locator('#browse-results').textContent()).not.toContain('Page 2');
    for (const hash of ['browse', 'findings', 'relations']) {
      await go(page, hash);
      const unnamed = await page.evaluate(
        `[...document.querySelectorAll('select')].filter((s) => !s.getAttribute('aria-label')).length`,
      );
      expect(unnamed).toBe(0);
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it('isolates a name that holds a right-to-left override wherever names are joined', async () => {
    const evil = '\u202Eevil\u200Bname';
    const docs = fixtureDocuments();
    const customers = docs.profile!.datasets.find((d) => d.dataset === 'public.customers')!;
    (customers as unknown as { candidateKeys: string[][] }).candidateKeys = [[evil], ['email', 'phone']];
    const file = join(dir, 'bidi.html');
    writeFileSync(file, renderAuditReport({ ...docs, lang: 'en' }));
    const { page, errors } = await open(pathToFileURL(file).href, '#dataset=crm.public.customers');
    await page.waitForSelector('#view-app h2');
    const text = (await page.locator('#view-app').textContent()) ?? '';
    // The override is closed inside its own isolate: `email, phone` after it reads left to right.
    expect(text).toContain(`\u2068${evil}\u2069 · email, phone`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('writes screenshots at 1280 px and 390 px', async () => {
    const { page } = await open(reportUrl);
    await page.screenshot({ path: join(artifacts, 'report-overview-1280.png'), fullPage: true });
    await go(page, 'dataset=crm.public.customers&column=created_at');
    await page.screenshot({ path: join(artifacts, 'report-dataset-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await go(page, 'overview');
    await page.screenshot({ path: join(artifacts, 'report-overview-390.png'), fullPage: true });
    await go(page, 'browse');
    await page.screenshot({ path: join(artifacts, 'report-browse-390.png'), fullPage: true });
    expect(existsSync(join(artifacts, 'report-overview-390.png'))).toBe(true);
    await page.close();
  });

  it('speaks French with French number formats', async () => {
    const { page, errors } = await open(frenchUrl);
    await expect.poll(() => page.locator('#nav a[data-view=browse]').textContent()).toBe('Inventaire');
    // 26 768 rows, with the narrow no-break space French uses between thousands.
    await expect.poll(() => page.locator('#view-overview .cards').textContent()).toContain('26\u202f768');
    await expect.poll(() => page.locator('#view-overview').textContent()).toContain('20 novembre 2026');
    await go(page, 'dataset=crm.public.customers&column=balance');
    await expect.poll(() => page.locator('tr.detail').textContent()).toContain('1\u202f834,2');
    // Values as the data holds them, with the decimal comma: never rounded, never grouped.
    await expect.poll(() => page.locator('tr.detail').textContent()).toContain('Min-1500,5');
    await go(page, 'dataset=crm.public.customers&column=name');
    await expect.poll(() => page.locator('tr.detail').textContent()).toContain('Pseudo-nulsblanc 2, N/A 4');
    // A finding code says what it means in the report's language, in the table and the code filter.
    await go(page, 'findings=ORPHAN_ROWS');
    await expect
      .poll(() => page.locator('#view-app .finding-title').first().textContent())
      .toBe('Lignes orphelines (relation déclarée)');
    await expect
      .poll(() => page.locator('#view-app select option[value="NULL_LIKE_VALUES"]').textContent())
      .toBe('NULL_LIKE_VALUES — Valeurs qui tiennent lieu de valeur manquante');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('prints without navigation or controls', async () => {
    const { page } = await open(reportUrl, '#browse');
    await page.emulateMedia({ media: 'print' });
    await expect.poll(() => page.locator('#nav').isHidden()).toBe(true);
    await expect.poll(() => page.locator('.controls').isHidden()).toBe(true);
    await expect.poll(() => page.locator('#browse-results table').isVisible()).toBe(true);
    // At A4's printable width, no table or diagram runs past its box (the overflow would be cut on paper).
    await page.setViewportSize({ width: 718, height: 1000 });
    for (const hash of ['browse', 'dataset=crm.public.customers', 'relations']) {
      await go(page, hash);
      const overflowing =
        await page.evaluate(`[...document.querySelectorAll('#view-app table, #view-app svg')]
        .filter((e) => e.getBoundingClientRect().right > document.querySelector('main').getBoundingClientRect().right + 1)
        .map((e) => e.tagName)`);
      expect(overflowing, hash).toEqual([]);
    }
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.byteLength).toBeGreaterThan(1000);
    await page.close();
  });
});
