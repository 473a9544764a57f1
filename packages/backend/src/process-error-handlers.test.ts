import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreErrorHandlers, snapshotErrorHandlers } from './process-error-handlers';

const SOURCE_INDEX = resolve(__dirname, 'index.ts');
let dir = '';

/** Bundles a user script that imports @geokd/backend from source (node_modules stay external). */
async function userScript(name: string, body: string): Promise<string> {
  const entry = join(dir, `${name}.ts`);
  writeFileSync(
    entry,
    `import { initBackend } from ${JSON.stringify(SOURCE_INDEX)};\n` +
      'const info = await initBackend({ quiet: true });\n' +
      "console.log('backend ' + info.name);\n" +
      body,
  );
  const outfile = join(dir, `${name}.mjs`);
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    absWorkingDir: resolve(__dirname, '..'),
    logLevel: 'silent',
  });
  return outfile;
}

function run(script: string, backend: string) {
  return spawnSync(process.execPath, [script], {
    cwd: resolve(__dirname, '..'),
    encoding: 'utf8',
    env: { ...process.env, GEOKD_BACKEND: backend },
    timeout: 90_000,
  });
}

describe('initBackend leaves the process error handling as it found it (issue 16)', () => {
  beforeAll(() => {
    // Inside the package, so the bundle's bare imports resolve from its node_modules.
    const cache = resolve(__dirname, '..', 'node_modules', '.cache');
    mkdirSync(cache, { recursive: true });
    dir = mkdtempSync(join(cache, 'geokd-error-handlers-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['wasm', 'cpu'])(
    'a plain throw after initBackend (%s) exits 1 with Node’s short message',
    async (backend) => {
      const script = await userScript(
        `throw-${backend}`,
        "throw new Error('boom from user code');\n",
      );
      const child = run(script, backend);
      expect(child.stdout).toContain(`backend ${backend}`);
      expect(child.status).toBe(1);
      expect(child.stderr).toContain('Error: boom from user code');
      expect(child.stderr.length).toBeLessThan(3000);
      expect(child.stderr).not.toMatch(/readyPromiseResolve|ExitStatus/);
    },
  );

  it('an unhandled rejection after initBackend (wasm) exits 1 with Node’s short message', async () => {
    const script = await userScript(
      'reject-wasm',
      "Promise.reject(new Error('rejected in user code'));\n",
    );
    const child = run(script, 'wasm');
    expect(child.stdout).toContain('backend wasm');
    expect(child.status).toBe(1);
    expect(child.stderr).toContain('Error: rejected in user code');
    expect(child.stderr.length).toBeLessThan(3000);
  });

  it('keeps a handler the user installed before, and its exit code', async () => {
    const script = await userScript('own-handler', "throw new Error('mine');\n");
    // The user's handler is installed before initBackend runs.
    const before = join(dir, 'before.mjs');
    writeFileSync(
      before,
      "process.on('uncaughtException', (e) => { console.error('early: ' + e.message); process.exit(4); });\n" +
        `await import(${JSON.stringify(script)});\n`,
    );
    const child = run(before, 'wasm');
    expect(child.stderr).toContain('early: mine');
    expect(child.status).toBe(4);
  });
});

describe('restoreErrorHandlers', () => {
  it('removes handlers added after the snapshot and Emscripten-shaped ones, keeps the rest', () => {
    const kept = (): void => {};
    process.on('uncaughtException', kept);
    // The shape of Emscripten's handler, installed before the snapshot.
    const emscripten = new Function('return function(reason){throw reason}')() as () => void;
    process.on('unhandledRejection', emscripten);
    const snapshot = snapshotErrorHandlers();
    const added = (): void => {};
    process.on('uncaughtException', added);
    restoreErrorHandlers(snapshot);
    expect(process.listeners('uncaughtException')).toContain(kept);
    expect(process.listeners('uncaughtException')).not.toContain(added);
    expect(process.listeners('unhandledRejection')).not.toContain(emscripten);
    process.removeListener('uncaughtException', kept);
  });
});
