/**
 * The rehearsal scenarios inside `npm test`: the reusable workflows executed end to end against
 * fly-sim, an embedded PostgreSQL and local SMTP, webhook and GitHub API servers. Then each scenario's
 * report page is opened in a real browser (Debian's Chromium), photographed and read as a person
 * would read it. Reports and screenshots stay in .tmp/artifacts/ (CI uploads them).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runScenario, SCENARIOS, type ScenarioResult, writeIndex } from '@deploy-actions/rehearsal';
import { type PgServer, startPostgres } from '@deploy-actions/testkit/postgres';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS } from './setup/temp-folder';

const outDir = join(ARTIFACTS, 'rehearsal');
const screenshots = join(ARTIFACTS, 'screenshots');
/** Debian's Chromium; CHROMIUM_PATH names another build (a CI image's). */
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

let pg: PgServer;
const results = new Map<string, ScenarioResult>();

beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.stop();
});

describe('rehearsal scenarios', () => {
  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: ${scenario.title}`, { timeout: 420_000 }, async () => {
      const result = await runScenario(scenario, pg, { outDir });
      results.set(scenario.name, result);
      const failed = result.checks.filter((c) => !c.ok).map((c) => `${c.name}${c.detail ? `: ${c.detail}` : ''}`);
      // Joined, so the failure shows every failed check in full.
      expect(failed.join('\n'), `report: ${result.report?.html}`).toBe('');
      expect(result.checks.length).toBeGreaterThan(5);
    });
  }
});

/** What each page must say near its top, in the words a person reads. */
const EXPECTED: Record<string, RegExp[]> = {
  happy: [/✓ pass/, /shop-api v1\.0\.0 is live \(release 1\), and the health gate passed/],
  'bad-release': [
    /shop-api v1\.1\.0-crash \(release 2\) failed at “Verify the new release”: .*crash-looping/,
    /Auto-rollback restored v1\.0\.0 \(release 3\) and verified it/,
    /shop-api v1\.1\.1-crash \(release \d+\) failed at “Deploy to Fly\.io”/,
    /Failed step: deploy \/ Verify the new release/,
    /files\/\S+ \(kept from RUNNER_TEMP\)/,
  ],
  autostop: [/shop-api v1\.1\.0 is live \(release 2\), and the health gate passed/],
  'closed-hours': [/shop-api v1\.0\.1 was not deployed: Deploys are closed at Sat/, /skipped/],
  preview: [/pr-7-shop-[0-9a-f]{6} .*is live/, /pr-7-shop-[0-9a-f]{6} was destroyed/],
  worker: [
    /shop-worker v1\.1\.0-crash \(release 2\) failed at “Verify the new release”: .*crash-looping/,
    /shop-api v1\.1\.0-crash \(release 2\) failed at “Verify the new release”/,
    /Auto-rollback restored v1\.0\.0 \(release 3\) and verified it/,
  ],
  'bad-traffic': [
    /shop-api v1\.1\.0-err25-jitter20 \(release 2\) failed at “Verify the new release”: Traffic analysis failed: error rate/,
    /Auto-rollback restored v1\.0\.0-err2-jitter20 \(release 3\) and verified it/,
    /shop-api v1\.2\.0-err2-jitter20 is live \(release 4\)/,
  ],
  'slow-release': [
    /shop-api v1\.1\.0-lag150-jitter20 \(release 2\) failed at “Verify the new release”: Traffic analysis failed: p95 \d+ ms against \d+ ms/,
    /Auto-rollback restored v1\.0\.0-jitter20 \(release 3\) and verified it/,
  ],
};

describe('the rehearsal report in a browser', () => {
  it('shows each scenario’s verdict, stories, failed step and timeline, photographed', {
    timeout: 180_000,
  }, async () => {
    expect(existsSync(CHROMIUM), `no ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium)`).toBe(true);
    expect([...results.keys()].sort(), 'every scenario ran').toEqual(SCENARIOS.map((s) => s.name).sort());
    mkdirSync(screenshots, { recursive: true });
    const profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
    // A persistent context is how playwright-core takes a fresh --user-data-dir.
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1280, height: 900 },
    });
    try {
      const page = await browser.newPage();
      for (const [name, result] of results) {
        await page.goto(pathToFileURL(result.report!.html).href);
        await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
        // The rendered text (what a person sees), not the DOM's.
        const text = (await page.locator('body').allInnerTexts()).join('\n');
        expect(EXPECTED[name], `${name}: what its page must say is listed in EXPECTED`).toBeDefined();
        for (const expected of EXPECTED[name]) expect(text, `${name}: the page says ${expected}`).toMatch(expected);
        // The stories are on the first screen, before any step detail.
        const stories = await page.locator('.stories').boundingBox();
        expect(stories && stories.y + stories.height, `${name}: stories within the first screen`).toBeLessThan(900);
        // The timeline draws a visible bar for every step that ran.
        const widths = await page.locator('.step .bar').evaluateAll((bars) => bars.map((b) => b.clientWidth));
        expect(widths.length, `${name}: timeline bars`).toBeGreaterThan(3);
        expect(
          widths.filter((w) => w < 1),
          `${name}: bars too thin to see`,
        ).toEqual([]);
        // No output shows a RUNNER_TEMP path that is gone without saying so.
        const dead = (await page.locator('.detail table td:nth-child(2)').allInnerTexts()).filter(
          (t) => t.includes('/job-') && !t.includes('removed when the job ended'),
        );
        expect(dead, `${name}: outputs naming removed temp files`).toEqual([]);
      }
      writeIndex(outDir, [...results.values()]);
      await page.goto(pathToFileURL(join(outDir, 'index.html')).href);
      await page.screenshot({ path: join(screenshots, 'index.png'), fullPage: true });
      expect((await page.locator('body').allInnerTexts()).join('\n')).toMatch(/bad-release.*pass.*rolled back/s);
    } finally {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
