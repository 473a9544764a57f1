import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CacheDirectoryError } from './cache-directory-error';
import { ChecksumError } from './checksum-error';
import { DownloadError } from './download-error';
import { type DownloadProgress, downloadFile } from './download-file';
import { startFileServer } from './test-fixtures';

const body = Uint8Array.from({ length: 50_000 }, (_, i) => (i * 31) % 251);
const md5 = createHash('md5').update(body).digest('hex');
const sha256 = createHash('sha256').update(body).digest('hex');

describe('downloadFile (local server on 127.0.0.1)', () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof startFileServer>> | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'geokd-download-'));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('downloads, verifies the checksum, reports progress and leaves only the final file', async () => {
    server = await startFileServer({ 'f.bin': { body } });
    const progress: DownloadProgress[] = [];
    const destination = join(dir, 'sub', 'f.bin');
    await downloadFile({
      url: `${server.baseUrl}f.bin`,
      destination,
      checksum: { algorithm: 'md5', digest: md5 },
      onProgress: (p) => progress.push(p),
    });
    expect(new Uint8Array(readFileSync(destination))).toEqual(body);
    expect(readdirSync(join(dir, 'sub'))).toEqual(['f.bin', 'f.bin.integrity.json']);
    expect(progress.at(-1)).toEqual({ fileName: 'f.bin', bytesDone: 50_000, bytesTotal: 50_000 });
    expect(
      progress.every(
        (p, i) => i === 0 || p.bytesDone >= (progress[i - 1] as DownloadProgress).bytesDone,
      ),
    ).toBe(true);
  });

  it('resumes an interrupted download with an HTTP Range request', async () => {
    server = await startFileServer({ 'f.bin': { body, cutAfter: 20_000 } });
    const destination = join(dir, 'f.bin');
    await downloadFile({
      url: `${server.baseUrl}f.bin`,
      destination,
      checksum: { algorithm: 'sha256', digest: sha256 },
    });
    expect(new Uint8Array(readFileSync(destination))).toEqual(body);
    expect(server.requests.length).toBe(2);
    expect(server.requests[1]?.range).toMatch(/^bytes=\d+-$/);
    expect(Number(server.requests[1]?.range?.slice(6, -1))).toBeGreaterThan(0);
  });

  it('starts over cleanly when the server ignores the Range header', async () => {
    server = await startFileServer({ 'f.bin': { body, cutAfter: 20_000, noRanges: true } });
    const destination = join(dir, 'f.bin');
    await downloadFile({
      url: `${server.baseUrl}f.bin`,
      destination,
      checksum: { algorithm: 'md5', digest: md5 },
    });
    expect(new Uint8Array(readFileSync(destination))).toEqual(body);
  });

  it('resumes from a .part file left by an earlier process', async () => {
    server = await startFileServer({ 'f.bin': { body } });
    const destination = join(dir, 'f.bin');
    writeFileSync(`${destination}.part`, body.subarray(0, 12_345));
    writeFileSync(
      `${destination}.part.json`,
      JSON.stringify({ url: `${server.baseUrl}f.bin`, total: body.length }),
    );
    await downloadFile({
      url: `${server.baseUrl}f.bin`,
      destination,
      checksum: { algorithm: 'md5', digest: md5 },
    });
    expect(server.requests[0]?.range).toBe('bytes=12345-');
    expect(new Uint8Array(readFileSync(destination))).toEqual(body);
  });

  it('starts over cleanly when a stale .part file gives a checksum mismatch', async () => {
    server = await startFileServer({ 'f.bin': { body } });
    const destination = join(dir, 'f.bin');
    writeFileSync(`${destination}.part`, new Uint8Array(1000).fill(7));
    // Described as a part of this URL (the server has no ETag to tell the versions apart).
    writeFileSync(`${destination}.part.json`, JSON.stringify({ url: `${server.baseUrl}f.bin` }));
    await downloadFile({
      url: `${server.baseUrl}f.bin`,
      destination,
      checksum: { algorithm: 'md5', digest: md5 },
    });
    expect(server.requests.map((r) => r.range)).toEqual(['bytes=1000-', undefined]);
    expect(new Uint8Array(readFileSync(destination))).toEqual(body);
  });

  it('throws ChecksumError when two clean transfers mismatch and leaves no file in the cache', async () => {
    server = await startFileServer({ 'f.bin': { body } });
    const destination = join(dir, 'f.bin');
    const promise = downloadFile({
      url: `${server.baseUrl}f.bin`,
      destination,
      checksum: { algorithm: 'md5', digest: '0'.repeat(32) },
    });
    await expect(promise).rejects.toThrow(ChecksumError);
    await expect(promise).rejects.toThrow(
      `f.bin: md5 checksum mismatch, expected ${'0'.repeat(32)} but the file has ${md5}`,
    );
    expect(server.requests.length).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('throws DownloadError naming the URL and status on an HTTP error, leaving no file', async () => {
    server = await startFileServer({ 'gone.bin': { body, status: 503 } });
    const promise = downloadFile({
      url: `${server.baseUrl}missing.bin`,
      destination: join(dir, 'missing.bin'),
    });
    await expect(promise).rejects.toThrow(DownloadError);
    await expect(promise).rejects.toThrow(
      `download of ${server.baseUrl}missing.bin failed: HTTP status 404 Not Found`,
    );
    await expect(
      downloadFile({ url: `${server.baseUrl}gone.bin`, destination: join(dir, 'gone.bin') }),
    ).rejects.toThrow('HTTP status 503');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('gives up after the retries when the connection keeps dropping, leaving no file', async () => {
    server = await startFileServer({ 'f.bin': { body, cutAfter: 100, cutTimes: 10 } });
    const promise = downloadFile({
      url: `${server.baseUrl}f.bin`,
      destination: join(dir, 'f.bin'),
      retries: 2,
    });
    await expect(promise).rejects.toThrow(/failed: gave up after 3 attempts/);
    expect(server.requests.length).toBe(3);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('throws CacheDirectoryError when the cache folder cannot be created', async () => {
    writeFileSync(join(dir, 'a-file'), 'x');
    const destination = join(dir, 'a-file', 'cache', 'f.bin');
    const promise = downloadFile({ url: 'http://127.0.0.1:9/f.bin', destination });
    await expect(promise).rejects.toThrow(CacheDirectoryError);
    await expect(promise).rejects.toThrow(
      `cache folder ${join(dir, 'a-file', 'cache')}: cannot be created`,
    );
    expect(existsSync(destination)).toBe(false);
  });
});
