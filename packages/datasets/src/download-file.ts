import { InvalidArgumentError } from '@geokd/errors';
import { ensureWritableDirectory } from './cache-directory';
import { ChecksumError } from './checksum-error';
import type { FileChecksum } from './dataset-sources';
import { DownloadError } from './download-error';
import { nodeBuiltin } from './node-modules';

/** Progress of a download. */
export interface DownloadProgress {
  /** File being downloaded. */
  fileName: string;
  /** Bytes on disk so far (including a resumed part). */
  bytesDone: number;
  /** Total size when the server sent it, else undefined. */
  bytesTotal: number | undefined;
}

/** Options of {@link downloadFile}. */
export interface DownloadFileOptions {
  /** URL (http or https). */
  url: string;
  /** Final path of the file; written only after the checksum passes. */
  destination: string;
  /** Expected checksum; without it the file is kept unverified. @default undefined */
  checksum?: FileChecksum;
  /** Called as bytes arrive. @default undefined */
  onProgress?: (progress: DownloadProgress) => void;
  /** Further attempts after a dropped connection (each resumes with an HTTP Range request). @default 3 */
  retries?: number;
  /** Socket idle timeout in milliseconds. @default 30000 */
  timeoutMs?: number;
}

/**
 * Downloads `url` to `destination`: bytes go to `destination + '.part'`; an interrupted
 * transfer resumes from the part file with an HTTP `Range` request (or starts over cleanly when
 * the server ignores ranges); the part file is hashed and renamed to `destination` only when the
 * checksum passes, so the cache never holds a half-written or corrupt file. A stale part file
 * (left by a killed process) that leads to a checksum mismatch is discarded and the download
 * restarted once from scratch. Follows redirects.
 * Node only.
 *
 * @throws {@link DownloadError} on an HTTP error status or when all retries fail.
 * @throws {@link ChecksumError} when the bytes do not match (the part file is deleted).
 * @throws {@link CacheDirectoryError} when the destination folder is not writable.
 */
export async function downloadFile(options: DownloadFileOptions): Promise<void> {
  const fn = 'downloadFile';
  if (typeof options?.url !== 'string' || !/^https?:\/\//.test(options.url)) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'options.url',
      expected: 'an http(s) URL',
      received: String(options?.url),
    });
  }
  const retries = options.retries ?? 3;
  if (!Number.isInteger(retries) || retries < 0) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'options.retries',
      expected: 'an integer >= 0',
      received: String(retries),
    });
  }
  const fs = nodeBuiltin<typeof import('node:fs')>('node:fs', fn);
  const fsp = nodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises', fn);
  const path = nodeBuiltin<typeof import('node:path')>('node:path', fn);
  const crypto = nodeBuiltin<typeof import('node:crypto')>('node:crypto', fn);
  await ensureWritableDirectory(path.dirname(options.destination));
  const partPath = `${options.destination}.part`;
  const fileName = path.basename(options.destination);

  // A .part file left by an earlier, killed process is resumed; if the result then fails its
  // checksum (the stale part may come from another version of the file), start over once cleanly.
  const hadStalePart = fs.existsSync(partPath);
  for (let round = 0; ; round++) {
    await transferWithRetries(options, partPath, fileName, retries, fs, fsp);
    if (options.checksum === undefined) break;
    const hash = crypto.createHash(options.checksum.algorithm);
    for await (const chunk of fs.createReadStream(partPath)) hash.update(chunk as Buffer);
    const received = hash.digest('hex');
    if (received === options.checksum.digest.toLowerCase()) break;
    await fsp.rm(partPath, { force: true });
    if (!(hadStalePart && round === 0)) {
      throw new ChecksumError({
        fileName,
        algorithm: options.checksum.algorithm,
        expected: options.checksum.digest,
        received,
      });
    }
  }
  await fsp.rename(partPath, options.destination);
}

async function transferWithRetries(
  options: DownloadFileOptions,
  partPath: string,
  fileName: string,
  retries: number,
  fs: typeof import('node:fs'),
  fsp: typeof import('node:fs/promises'),
): Promise<void> {
  let lastError: unknown;
  for (let attempt = 0; attempt <= retries; attempt++) {
    try {
      await transfer(options, partPath, fileName, fs);
      return;
    } catch (error) {
      if (error instanceof DownloadError && error.status !== undefined) {
        await fsp.rm(partPath, { force: true });
        throw error;
      }
      lastError = error;
    }
  }
  await fsp.rm(partPath, { force: true });
  throw new DownloadError(
    options.url,
    `gave up after ${retries + 1} attempts (${(lastError as Error).message})`,
    {
      cause: lastError,
    },
  );
}

async function transfer(
  options: DownloadFileOptions,
  partPath: string,
  fileName: string,
  fs: typeof import('node:fs'),
): Promise<void> {
  let offset = 0;
  try {
    offset = fs.statSync(partPath).size;
  } catch {
    offset = 0;
  }
  const response = await request(options.url, offset, options.timeoutMs ?? 30_000, 5);
  const status = response.statusCode ?? 0;
  if (status === 416 && offset > 0) {
    // The part file is already complete (or larger than the resource): let the checksum decide.
    response.resume();
    return;
  }
  if (status !== 200 && status !== 206) {
    response.resume();
    throw new DownloadError(
      options.url,
      `HTTP status ${status} ${response.statusMessage ?? ''}`.trim(),
      { status },
    );
  }
  const resuming = status === 206 && offset > 0;
  if (!resuming) offset = 0;
  const length = Number(response.headers['content-length']);
  const bytesTotal = Number.isFinite(length) ? offset + length : undefined;
  const out = fs.createWriteStream(partPath, { flags: resuming ? 'a' : 'w' });
  let bytesDone = offset;
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    // Keep what arrived: flush the part file before reporting, so the next attempt resumes.
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      response.unpipe(out);
      out.end(() => reject(error));
    };
    response.on('data', (chunk: Buffer) => {
      bytesDone += chunk.length;
      options.onProgress?.({ fileName, bytesDone, bytesTotal });
    });
    response.on('error', fail);
    response.on('aborted', () => fail(new Error('connection closed by the server')));
    out.on('error', (error) => {
      if (settled) return;
      settled = true;
      reject(error);
    });
    out.on('finish', () => {
      if (settled) return;
      settled = true;
      if (bytesTotal !== undefined && bytesDone < bytesTotal) {
        reject(new Error(`connection closed after ${bytesDone} of ${bytesTotal} bytes`));
      } else {
        resolve();
      }
    });
    response.pipe(out);
  });
}

async function request(
  url: string,
  offset: number,
  timeoutMs: number,
  redirectsLeft: number,
): Promise<import('node:http').IncomingMessage> {
  const protocol = url.startsWith('https:') ? 'node:https' : 'node:http';
  const client = nodeBuiltin<typeof import('node:https')>(protocol, 'downloadFile');
  const response = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    const req = client.get(
      url,
      { headers: offset > 0 ? { Range: `bytes=${offset}-` } : {}, timeout: timeoutMs },
      resolve,
    );
    req.on('timeout', () => req.destroy(new Error(`no data for ${timeoutMs} ms`)));
    req.on('error', reject);
  });
  const status = response.statusCode ?? 0;
  const location = response.headers.location;
  if (status >= 300 && status < 400 && location !== undefined) {
    response.resume();
    if (redirectsLeft === 0) throw new DownloadError(url, 'too many redirects', { status });
    return request(new URL(location, url).toString(), offset, timeoutMs, redirectsLeft - 1);
  }
  return response;
}
