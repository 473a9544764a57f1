/**
 * Several processes downloading into one cache folder, and a downloader killed with SIGKILL in
 * the middle of a transfer. The children run `downloadFile` bundled from this source tree by
 * esbuild (tsup's own copy), so the test needs no prior build.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadFile } from './download-file';
import { startFileServer } from './test-fixtures';

const body = Uint8Array.from({ length: 3_000_000 }, (_, i) => (i * 2_654_435_761) >>> 24);
const md5 = createHash('md5').update(body).digest('hex');

describe('downloadFile across processes', () => {
  let dir: string;
  let script: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'geokd-processes-'));
    const require = createRequire(createRequire(import.meta.url).resolve('tsup'));
    const esbuild = require('esbuild') as {
      build: (options: Record<string, unknown>) => Promise<unknown>;
    };
    const bundle = join(dir, 'download-file.mjs');
    await esbuild.build({
      entryPoints: [fileURLToPath(new URL('./download-file.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: bundle,
      logLevel: 'silent',
    });
    script = join(dir, 'child.mjs');
    writeFileSync(
      script,
      `import { downloadFile } from ${JSON.stringify(bundle)};
const [url, destination, digest] = process.argv.slice(2);
try {
  await downloadFile({ url, destination, timeoutMs: 5000, ...(digest ? { checksum: { algorithm: 'md5', digest } } : {}) });
  process.stdout.write('ok');
} catch (error) {
  process.stdout.write(String(error));
  process.exitCode = 1;
}
`,
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const child = (
    args: string[],
  ): { process: ChildProcess; done: Promise<{ code: number | null; out: string }> } => {
    const process = spawn(globalThis.process.execPath, [script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    process.stdout?.on('data', (chunk) => {
      out += chunk;
    });
    process.stderr?.on('data', (chunk) => {
      out += chunk;
    });
    const done = new Promise<{ code: number | null; out: string }>((resolve) => {
      process.on('close', (code) => resolve({ code, out }));
    });
    return { process, done };
  };

  it.each([
    ['with a checksum', md5],
    ['without a checksum', ''],
  ])(
    'three processes downloading one file at once all succeed (%s)',
    async (_name, digest) => {
      const server = await startFileServer({ 'f.bin': { body, cutAfter: 1_000_000 } });
      const cache = mkdtempSync(join(dir, 'cache-'));
      const destination = join(cache, 'f.bin');
      try {
        const results = await Promise.all(
          [0, 1, 2].map(() => child([`${server.baseUrl}f.bin`, destination, digest]).done),
        );
        expect(results).toEqual([0, 1, 2].map(() => ({ code: 0, out: 'ok' })));
        expect(createHash('md5').update(readFileSync(destination)).digest('hex')).toBe(md5);
        expect(readdirSync(cache).sort()).toEqual(['f.bin', 'f.bin.integrity.json']);
      } finally {
        await server.close();
      }
    },
    60_000,
  );

  it('resumes the part of a downloader killed with SIGKILL mid-transfer', async () => {
    const server = await startFileServer({ 'f.bin': { body, stallAfter: 1_200_000 } });
    const cache = mkdtempSync(join(dir, 'cache-'));
    const destination = join(cache, 'f.bin');
    try {
      const victim = child([`${server.baseUrl}f.bin`, destination, md5]);
      // Wait until the victim holds the lock and has written part of the file.
      const started = Date.now();
      while (
        !(
          existsSync(`${destination}.part`) &&
          readFileSync(`${destination}.part`).length >= 1_200_000
        )
      ) {
        if (Date.now() - started > 20_000) throw new Error('the child never started writing');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      victim.process.kill('SIGKILL');
      expect((await victim.done).code).toBe(null);
      expect(existsSync(`${destination}.lock`)).toBe(true);
      await downloadFile({
        url: `${server.baseUrl}f.bin`,
        destination,
        checksum: { algorithm: 'md5', digest: md5 },
      });
      expect(server.requests.at(-1)?.range).toBe('bytes=1200000-');
      expect(createHash('md5').update(readFileSync(destination)).digest('hex')).toBe(md5);
      expect(readdirSync(cache).sort()).toEqual(['f.bin', 'f.bin.integrity.json']);
    } finally {
      await server.close();
    }
  }, 60_000);
});
