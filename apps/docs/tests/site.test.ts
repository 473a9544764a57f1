import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StaticServer, serveStatic } from './static-server';

const CHROMIUM = '/usr/bin/chromium';
const dist = fileURLToPath(new URL('../.vitepress/dist/', import.meta.url));
const artifacts = fileURLToPath(new URL('../test-artifacts/', import.meta.url));

let server: StaticServer;
let browser: Browser;

/** Opens a page that records console errors and uncaught exceptions. */
async function openPage(errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  return page;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the end-to-end test drives Debian's Chromium. Install it with ` +
        '`apt-get install -y chromium` (CI installs it), then rerun.',
    );
  }
  if (!existsSync(`${dist}index.html`)) {
    throw new Error(`${dist}index.html is missing: run \`pnpm --filter docs build\` first.`);
  }
  mkdirSync(artifacts, { recursive: true });
  server = await serveStatic(dist);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the built documentation site', () => {
  it('renders the home page with the picture and the two commands', async () => {
    const errors: string[] = [];
    const page = await openPage(errors);
    const response = await page.goto(`${server.url}/`, { waitUntil: 'networkidle' });
    expect(response?.status()).toBe(200);
    await expect(page.locator('.VPHero .name').textContent()).resolves.toContain('geokd');
    await expect(page.locator('figure.graph-picture svg circle').count()).resolves.toBe(18);
    const text = await page.locator('.VPContent').textContent();
    expect(text).toContain('pnpm bench');
    expect(text).toContain('pnpm test');
    // MathJax rendered the GKD formula to SVG at build time.
    await expect(page.locator('mjx-container svg').count()).resolves.toBeGreaterThan(0);
    await page.screenshot({ path: `${artifacts}home.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('renders every loss formula of the method page as math', async () => {
    const errors: string[] = [];
    const page = await openPage(errors);
    const response = await page.goto(`${server.url}/method/losses.html`, {
      waitUntil: 'networkidle',
    });
    expect(response?.status()).toBe(200);
    // One display formula per loss: GKD, RKD-D, RKD-A, KD, SP, AT, PKT.
    await expect(page.locator('mjx-container[display="true"]').count()).resolves.toBe(7);
    await expect(page.locator('.VPContent').textContent()).resolves.not.toContain('$$');
    await page.screenshot({ path: `${artifacts}method-losses.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('has an API page for gkdLoss generated from the TSDoc', async () => {
    const errors: string[] = [];
    const page = await openPage(errors);
    const response = await page.goto(`${server.url}/api/@geokd/kd-losses/functions/gkdLoss.html`, {
      waitUntil: 'networkidle',
    });
    expect(response?.status(), 'the gkdLoss API page exists').toBe(200);
    await expect(page.locator('.VPContent h1').first().textContent()).resolves.toContain('gkdLoss');
    const text = await page.locator('.VPContent').textContent();
    expect(text).toContain('studentFeatures');
    expect(text).toContain('teacherFeatures');
    await page.screenshot({ path: `${artifacts}api-gkd-loss.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('renders the results page from the bench results, or says none are recorded', async () => {
    const errors: string[] = [];
    const page = await openPage(errors);
    const response = await page.goto(`${server.url}/results.html`, { waitUntil: 'networkidle' });
    expect(response?.status()).toBe(200);
    const recorded = await page.locator('[data-testid="results"]').count();
    if (recorded > 0) {
      await expect(
        page.locator('[data-testid="results"] tbody tr').count(),
      ).resolves.toBeGreaterThan(0);
    } else {
      await expect(page.locator('[data-testid="no-results"]').textContent()).resolves.toContain(
        'No results recorded yet',
      );
    }
    await page.screenshot({ path: `${artifacts}results.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('trains the student in the live demo with GKD and updates its accuracy', async () => {
    const errors: string[] = [];
    const page = await openPage(errors);
    const response = await page.goto(`${server.url}/demo.html`, { waitUntil: 'networkidle' });
    expect(response?.status()).toBe(200);
    const train = page.locator('[data-testid="train"]');
    // The teacher trains first; Train is enabled once it is done.
    await train.waitFor({ state: 'visible' });
    await page.waitForFunction(
      () =>
        !(document.querySelector('[data-testid="train"]') as HTMLButtonElement | null)?.disabled ||
        document.querySelector('[data-testid="error"]') !== null,
      undefined,
      { timeout: 120_000 },
    );
    const startError = await page.locator('[data-testid="error"]').count();
    expect(startError ? await page.locator('[data-testid="error"]').textContent() : '').toBe('');
    const teacherAccuracy = await page.locator('[data-testid="teacher-accuracy"]').textContent();
    expect(teacherAccuracy).toMatch(/^\d+\.\d %$/);
    const options = await page.locator('[data-testid="method"] option').allInnerTexts();
    expect(options).toContain('baseline');
    expect(options).toContain('gkd');
    await page.selectOption('[data-testid="method"]', 'gkd');
    await page.fill('[data-testid="lambda"]', '25');
    await page.fill('[data-testid="steps"]', '30');
    const before = await page.locator('[data-testid="student-accuracy"]').textContent();
    await train.click();
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="status"]')?.textContent?.startsWith('Done') ||
        document.querySelector('[data-testid="error"]') !== null,
      undefined,
      { timeout: 150_000 },
    );
    const trainError = await page.locator('[data-testid="error"]').count();
    expect(trainError ? await page.locator('[data-testid="error"]').textContent() : '').toBe('');
    await expect(page.locator('[data-testid="step"]').textContent()).resolves.toBe('30');
    const history = await page.locator('[data-testid="history"]').textContent();
    // One accuracy reading every 10 steps.
    expect(history).toMatch(/10: \d+\.\d %; 20: \d+\.\d %; 30: \d+\.\d %;/);
    const after = await page.locator('[data-testid="student-accuracy"]').textContent();
    expect(after).toMatch(/^\d+\.\d %$/);
    expect(after).not.toBe(before);
    // The student's heatmap was drawn: its canvas is not blank.
    const inked = await page.evaluate(() => {
      const canvas = document.querySelector('[data-testid="student-graph"]') as HTMLCanvasElement;
      const pixels = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data;
      let count = 0;
      for (let i = 0; pixels && i < pixels.length; i += 4) if ((pixels[i] as number) < 250) count++;
      return count;
    });
    expect(inked).toBeGreaterThan(100);
    await page.screenshot({ path: `${artifacts}demo.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('the live demo on WebAssembly', () => {
  it('loads the bundled .wasm files and trains the plain student', async () => {
    const errors: string[] = [];
    const page = await openPage(errors);
    await page.goto(`${server.url}/demo.html?backend=wasm`, { waitUntil: 'networkidle' });
    await page.waitForFunction(
      () =>
        !(document.querySelector('[data-testid="train"]') as HTMLButtonElement | null)?.disabled ||
        document.querySelector('[data-testid="error"]')?.textContent?.includes('could not'),
      undefined,
      { timeout: 120_000 },
    );
    await expect(page.locator('[data-testid="status"]').textContent()).resolves.toContain(
      '(backend: wasm)',
    );
    await page.selectOption('[data-testid="method"]', 'baseline');
    await page.fill('[data-testid="steps"]', '20');
    await page.locator('[data-testid="train"]').click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="status"]')?.textContent?.startsWith('Done'),
      undefined,
      { timeout: 60_000 },
    );
    await expect(page.locator('[data-testid="history"]').textContent()).resolves.toMatch(
      /10: \d+\.\d %; 20: \d+\.\d %;/,
    );
    await page.screenshot({ path: `${artifacts}demo-wasm.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
