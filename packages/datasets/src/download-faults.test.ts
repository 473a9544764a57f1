/**
 * Fault injection against the download path: a local HTTP server on 127.0.0.1 (a free port)
 * that cuts, stalls, closes cleanly without a length, lies about ranges and flips bytes, plus
 * stale parts and several downloaders at once. Each case ends with the exact bytes in the cache
 * or a clear error, and never with a corrupt file that later calls would trust.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChecksumError } from './checksum-error';
import { DownloadError } from './download-error';
import { downloadFile } from './download-file';
import { startFileServer } from './test-fixtures';

const raw = Uint8Array.from({ length: 60_000 }, (_, i) => (i * 7 + (i >> 8)) % 256);
const gz = new Uint8Array(gzipSync(raw, { level: 1 }));
const body = Uint8Array.from({ length: 40_000 }, (_, i) => (i * 31) % 251);
const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('downloadFile under injected faults', () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof startFileServer>> | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'geokd-faults-'));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });
  const read = (file: string) => new Uint8Array(readFileSync(join(dir, file)));
  const record = (file: string) =>
    JSON.parse(readFileSync(join(dir, `${file}.integrity.json`), 'utf8'));

  it('does not keep a gzip file cut short by a clean close without Content-Length (no checksum)', async () => {
    server = await startFileServer({
      'f.gz': { body: gz, noContentLength: true, cutAfter: gz.length - 500 },
    });
    await downloadFile({ url: `${server.baseUrl}f.gz`, destination: join(dir, 'f.gz') });
    expect(read('f.gz')).toEqual(gz);
    expect(record('f.gz')).toEqual({ size: gz.length, sha256: sha256(gz) });
    expect(server.requests.map((r) => r.range)).toEqual([undefined, undefined]);
  });

  it('throws, keeping nothing, when a gzip file stays truncated on every transfer', async () => {
    server = await startFileServer({
      'f.gz': { body: gz, noContentLength: true, cutAfter: 1000, cutTimes: 99 },
    });
    const run = downloadFile({ url: `${server.baseUrl}f.gz`, destination: join(dir, 'f.gz') });
    await expect(run).rejects.toThrow(DownloadError);
    await expect(run).rejects.toThrow(/the received gzip data is corrupt or truncated/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('downloads again after a clean close without Content-Length fails the checksum', async () => {
    server = await startFileServer({
      'f.bin': { body, noContentLength: true, cutAfter: 30_000 },
    });
    await downloadFile({
      url: `${server.baseUrl}f.bin`,
      destination: join(dir, 'f.bin'),
      checksum: { algorithm: 'md5', digest: md5(body) },
    });
    expect(read('f.bin')).toEqual(body);
  });

  it.each([
    ['a 206 that restarts at byte 0', 'restart'],
    ['a 206 whose body is not the range it announces', 'body'],
  ] as const)('restarts from byte 0 after %s (no checksum)', async (_name, rangeLie) => {
    server = await startFileServer({ 'f.bin': { body, cutAfter: 15_000, rangeLie } });
    await downloadFile({ url: `${server.baseUrl}f.bin`, destination: join(dir, 'f.bin') });
    expect(read('f.bin')).toEqual(body);
    const ranges = server.requests.map((r) => r.range);
    expect(ranges[0]).toBeUndefined();
    expect(ranges[1]).toMatch(/^bytes=\d+-$/);
    expect(ranges.at(-1)).toBeUndefined();
  });

  it('downloads again when a byte flipped in transit fails the checksum', async () => {
    server = await startFileServer({ 'f.bin': { body, flipByteAt: 12_345 } });
    await downloadFile({
      url: `${server.baseUrl}f.bin`,
      destination: join(dir, 'f.bin'),
      checksum: { algorithm: 'sha256', digest: sha256(body) },
    });
    expect(read('f.bin')).toEqual(body);
    expect(server.requests.length).toBe(2);
  });

  it('throws ChecksumError when the bytes are wrong on every transfer', async () => {
    server = await startFileServer({ 'f.bin': { body, flipByteAt: 5, flipTimes: 99 } });
    const run = downloadFile({
      url: `${server.baseUrl}f.bin`,
      destination: join(dir, 'f.bin'),
      checksum: { algorithm: 'md5', digest: md5(body) },
    });
    await expect(run).rejects.toThrow(ChecksumError);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('drops a stalled transfer after the idle timeout and resumes it', async () => {
    server = await startFileServer({ 'f.bin': { body, stallAfter: 10_000 } });
    await downloadFile({
      url: `${server.baseUrl}f.bin`,
      destination: join(dir, 'f.bin'),
      timeoutMs: 300,
    });
    expect(read('f.bin')).toEqual(body);
    expect(server.requests[1]?.range).toMatch(/^bytes=\d+-$/);
  });

  it('discards a stale .part of other bytes that nothing describes (no checksum)', async () => {
    server = await startFileServer({ 'f.bin': { body } });
    writeFileSync(join(dir, 'f.bin.part'), new Uint8Array(1000).fill(7));
    await downloadFile({ url: `${server.baseUrl}f.bin`, destination: join(dir, 'f.bin') });
    expect(read('f.bin')).toEqual(body);
    expect(server.requests.map((r) => r.range)).toEqual([undefined]);
  });

  it('resumes with If-Range, and takes the whole new file when the ETag changed', async () => {
    server = await startFileServer({ 'f.bin': { body, etag: '"v2"' } });
    writeFileSync(join(dir, 'f.bin.part'), new Uint8Array(1000).fill(7));
    writeFileSync(
      join(dir, 'f.bin.part.json'),
      JSON.stringify({ url: `${server.baseUrl}f.bin`, etag: '"v1"', total: body.length }),
    );
    await downloadFile({ url: `${server.baseUrl}f.bin`, destination: join(dir, 'f.bin') });
    expect(read('f.bin')).toEqual(body);
    expect(server.requests.map((r) => r.range)).toEqual(['bytes=1000-']);
  });

  it('replaces a destination that fails its checksum instead of trusting it', async () => {
    server = await startFileServer({ 'f.bin': { body } });
    writeFileSync(join(dir, 'f.bin'), body.subarray(0, 100));
    await downloadFile({
      url: `${server.baseUrl}f.bin`,
      destination: join(dir, 'f.bin'),
      checksum: { algorithm: 'md5', digest: md5(body) },
    });
    expect(read('f.bin')).toEqual(body);
    // Verified and recorded: the next call makes no request.
    await downloadFile({
      url: `${server.baseUrl}f.bin`,
      destination: join(dir, 'f.bin'),
      checksum: { algorithm: 'md5', digest: md5(body) },
    });
    expect(server.requests.length).toBe(1);
  });

  it('lets three concurrent downloaders of one file all succeed with one transfer', async () => {
    server = await startFileServer({ 'f.bin': { body, cutAfter: 20_000 } });
    const destination = join(dir, 'f.bin');
    await Promise.all(
      [0, 1, 2].map(() => downloadFile({ url: `${server!.baseUrl}f.bin`, destination })),
    );
    expect(read('f.bin')).toEqual(body);
    expect(readdirSync(dir).sort()).toEqual(['f.bin', 'f.bin.integrity.json']);
    // One transfer (resumed once after the cut); the others found the file verified.
    expect(server.requests.length).toBe(2);
  });

  it('takes over the lock of a process that died', async () => {
    server = await startFileServer({ 'f.bin': { body } });
    // pid 2^22 + 1 is above Linux's pid_max default: no such process.
    writeFileSync(
      join(dir, 'f.bin.lock'),
      JSON.stringify({ pid: 4_194_305, host: (await import('node:os')).hostname(), token: 'x' }),
    );
    await downloadFile({ url: `${server.baseUrl}f.bin`, destination: join(dir, 'f.bin') });
    expect(read('f.bin')).toEqual(body);
    expect(existsSync(join(dir, 'f.bin.lock'))).toBe(false);
  });
});
