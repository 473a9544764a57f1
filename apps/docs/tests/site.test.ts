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

  it('has an API page for the Node entry @geokd/trainer/node, linked from the trainer docs', async () => {
    const errors: string[] = [];
    const page = await openPage(errors);
    const response = await page.goto(`${server.url}/api/@geokd/trainer/node/`, {
      waitUntil: 'networkidle',
    });
    expect(response?.status(), 'the @geokd/trainer/node API page exists').toBe(200);
    await expect(page.locator('.VPContent h1').first().textContent()).resolves.toContain(
      '@geokd/trainer/node',
    );
    const text = await page.locator('.VPContent').textContent();
    for (const name of ['fileCheckpointStore', 'readMetricsLog', 'createConsoleReporter']) {
      expect(text).toContain(name);
    }
    const store = await page.goto(
      `${server.url}/api/@geokd/trainer/interfaces/TrainingCheckpointStore.html`,
      { waitUntil: 'networkidle' },
    );
    expect(store?.status()).toBe(200);
    await expect(
      page
        .locator('.VPContent a[href*="/api/@geokd/trainer/node/variables/fileCheckpointStore"]')
        .count(),
    ).resolves.toBeGreaterThan(0);
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

  it('trains the student on MNIST digits with GKD and charts its accuracy rising', async () => {
    const errors: string[] = [];
    const page = await openPage(errors);
    const response = await page.goto(`${server.url}/demo.html`, { waitUntil: 'networkidle' });
    expect(response?.status()).toBe(200);
    await waitUntilReady(page);
    // The badge names the backend; without a hardware WebGPU adapter it says why not.
    const backend = page.locator('[data-testid="backend"]');
    const name = await backend.getAttribute('data-backend');
    expect(['webgpu', 'wasm', 'cpu']).toContain(name);
    await expect(backend.textContent()).resolves.toMatch(/^Running on (WebGPU|WebAssembly|plain)/);
    if (name !== 'webgpu') {
      await expect(page.locator('[data-testid="backend-note"]').textContent()).resolves.toMatch(
        /^\s*WebGPU: \S/,
      );
    }
    const teacher = await readTeacherAccuracy(page);
    expect(teacher, 'the teacher learns the digits').toBeGreaterThanOrEqual(0.95);
    const options = await page.locator('[data-testid="method"] option').allInnerTexts();
    expect(options).toContain('baseline');
    expect(options).toContain('gkd');
    await page.selectOption('[data-testid="method"]', 'gkd');
    await expect(page.inputValue('[data-testid="lambda"]')).resolves.toBe('25');
    const history = await trainAndRead(page, 60);
    expect(history.map((point) => point.step)).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expectAccuracyRises(history);
    // The heatmaps and the digits were drawn: their canvases are not blank.
    for (const id of ['student-graph', 'teacher-graph', 'digits']) {
      await expect(inkedPixels(page, id), id).resolves.toBeGreaterThan(100);
    }
    await page.screenshot({ path: `${artifacts}demo.png`, fullPage: true });
    console.log(
      `[demo] ${name}: teacher ${percent(teacher)}; gkd student ${history.map((p) => `${p.step}: ${percent(p.accuracy)}`).join(', ')}`,
    );
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('the live demo on WebAssembly', () => {
  it('loads the bundled .wasm files and the plain student learns the digits', async () => {
    const errors: string[] = [];
    const page = await openPage(errors);
    await page.goto(`${server.url}/demo.html?backend=wasm`, { waitUntil: 'networkidle' });
    await waitUntilReady(page);
    await expect(
      page.locator('[data-testid="backend"]').getAttribute('data-backend'),
    ).resolves.toBe('wasm');
    await expect(page.locator('[data-testid="backend"]').textContent()).resolves.toContain(
      'WebAssembly',
    );
    await expect(page.locator('[data-testid="backend-note"]').textContent()).resolves.toContain(
      'not tried (?backend=wasm',
    );
    const teacher = await readTeacherAccuracy(page);
    expect(teacher).toBeGreaterThanOrEqual(0.95);
    await page.selectOption('[data-testid="method"]', 'baseline');
    const history = await trainAndRead(page, 40);
    expect(history.map((point) => point.step)).toEqual([0, 10, 20, 30, 40]);
    expectAccuracyRises(history);
    await page.screenshot({ path: `${artifacts}demo-wasm.png`, fullPage: true });
    console.log(
      `[demo] wasm: teacher ${percent(teacher)}; baseline student ${history.map((p) => `${p.step}: ${percent(p.accuracy)}`).join(', ')}`,
    );
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('the live demo where the browser offers only a software WebGPU adapter', () => {
  it('runs on WebAssembly and says why WebGPU was not used', async () => {
    // Chromium's SwiftShader WebGPU adapter: a software one, slower than wasm, never chosen.
    const software = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--enable-unsafe-webgpu',
        '--enable-features=Vulkan',
        '--use-angle=swiftshader',
        '--use-webgpu-adapter=swiftshader',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    try {
      const page = await software.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
      await page.goto(`${server.url}/demo.html`, { waitUntil: 'networkidle' });
      const backend = page.locator('[data-testid="backend"]');
      await backend.waitFor({ state: 'visible', timeout: 60_000 });
      await expect(backend.getAttribute('data-backend')).resolves.toBe('wasm');
      await expect(page.locator('[data-testid="backend-note"]').textContent()).resolves.toMatch(
        /WebGPU: only a software adapter .*slower than wasm/,
      );
      expect(errors).toEqual([]);
    } finally {
      await software.close();
    }
  });
});

function percent(value: number): string {
  return `${(100 * value).toFixed(1)} %`;
}

/** Waits until the teacher is trained (Train enabled) and fails with the demo's error, if any. */
async function waitUntilReady(page: Page): Promise<void> {
  await page.locator('[data-testid="train"]').waitFor({ state: 'visible' });
  await page.waitForFunction(
    () =>
      !(document.querySelector('[data-testid="train"]') as HTMLButtonElement | null)?.disabled ||
      document.querySelector('[data-testid="error"]') !== null,
    undefined,
    { timeout: 120_000 },
  );
  const error = await page.locator('[data-testid="error"]').count();
  expect(error ? await page.locator('[data-testid="error"]').textContent() : '').toBe('');
}

/** The teacher's test accuracy, from the text and from the chart's reference line (they agree). */
async function readTeacherAccuracy(page: Page): Promise<number> {
  const text = await page.locator('[data-testid="teacher-accuracy"]').textContent();
  expect(text).toMatch(/^\d+\.\d %$/);
  const line = Number(
    await page.locator('[data-testid="teacher-line"]').getAttribute('data-accuracy'),
  );
  expect(percent(line)).toBe(text);
  return line;
}

/** Trains the student for `steps` steps and returns the accuracy points the chart plots. */
async function trainAndRead(
  page: Page,
  steps: number,
): Promise<{ step: number; accuracy: number }[]> {
  await page.fill('[data-testid="steps"]', String(steps));
  await page.locator('[data-testid="train"]').click();
  await page.waitForFunction(
    () =>
      document.querySelector('[data-testid="status"]')?.textContent?.startsWith('Done') ||
      document.querySelector('[data-testid="error"]') !== null,
    undefined,
    { timeout: 120_000 },
  );
  const error = await page.locator('[data-testid="error"]').count();
  expect(error ? await page.locator('[data-testid="error"]').textContent() : '').toBe('');
  await expect(page.locator('[data-testid="step"]').textContent()).resolves.toBe(String(steps));
  const points = await page.locator('[data-testid="accuracy-point"]').evaluateAll((circles) =>
    circles.map((circle) => ({
      step: Number(circle.getAttribute('data-step')),
      accuracy: Number(circle.getAttribute('data-accuracy')),
    })),
  );
  const last = points[points.length - 1];
  await expect(page.locator('[data-testid="student-accuracy"]').textContent()).resolves.toBe(
    last ? percent(last.accuracy) : '–',
  );
  // The chart draws a line through the points.
  await expect(page.locator('[data-testid="accuracy-chart"] path').count()).resolves.toBe(1);
  return points;
}

/**
 * The student starts near chance (10 digits: 10 %), and its last reading is well above chance
 * and clearly above its first reading after training started (step 10).
 */
function expectAccuracyRises(history: { step: number; accuracy: number }[]): void {
  const start = history[0]?.accuracy ?? Number.NaN;
  const first = history[1]?.accuracy ?? Number.NaN;
  const last = history[history.length - 1]?.accuracy ?? Number.NaN;
  expect(start, 'untrained student near chance').toBeLessThan(0.3);
  expect(last, 'final accuracy well above chance').toBeGreaterThan(0.6);
  expect(last - first, 'accuracy rises after the first reading').toBeGreaterThan(0.1);
}

async function inkedPixels(page: Page, testId: string): Promise<number> {
  return page.evaluate((id) => {
    const canvas = document.querySelector(`[data-testid="${id}"]`) as HTMLCanvasElement;
    const pixels = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data;
    let count = 0;
    for (let i = 0; pixels && i < pixels.length; i += 4) if ((pixels[i] as number) < 250) count++;
    return count;
  }, testId);
}
