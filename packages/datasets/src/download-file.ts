import { InvalidArgumentError } from '@geokd/errors';
import { ensureWritableDirectory } from './cache-directory';
import { ChecksumError } from './checksum-error';
import type { FileChecksum } from './dataset-sources';
import { DownloadError } from './download-error';
import { acquireDownloadLock } from './download-lock';
import {
  digestFile,
  integrityProblem,
  readIntegrityRecord,
  writeIntegrityRecord,
} from './file-integrity';
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
  /** Socket idle timeout in milliseconds: a stalled transfer is dropped and resumed. @default 30000 */
  timeoutMs?: number;
  /** How long to wait for another process downloading the same file. @default 600000 */
  lockTimeoutMs?: number;
}

/**
 * Downloads `url` to `destination`, safely for a shared cache folder:
 * - one downloader at a time per file (a `<file>.lock` taken with `O_EXCL`; a lock left by a
 *   dead process is taken over); the others wait, then find the file ready and verified;
 * - bytes go to `<file>.part`, described by `<file>.part.json` (URL, ETag, Last-Modified,
 *   size); an interrupted transfer resumes with an HTTP `Range` request (with `If-Range`), and
 *   only when the server answers `206` with a `Content-Range` starting at the requested offset
 *   for the same total size; any other answer (a `200`, a `206` restarting at byte 0, another
 *   size) restarts from byte 0, as does a `.part` without a matching description;
 * - the result is verified before it is renamed into place: the checksum when given; the size
 *   when the server announced one; a gzip file (magic number 1f 8b) must decompress completely.
 *   A failed verification starts over once from byte 0 (a corrupted transfer), then throws;
 * - after the rename, `<file>.integrity.json` records the size and SHA-256, so later reads
 *   (see the loaders) re-verify the cached file and replace it when it changed.
 * A destination already present and verified (checksum, else integrity record) is not
 * downloaded again. Follows redirects. Node only.
 *
 * @throws {@link DownloadError} on an HTTP error status, when all retries fail, or when the
 * bytes stay corrupt without a checksum (e.g. a truncated gzip file).
 * @throws {@link ChecksumError} when the bytes do not match twice in a row (nothing is kept).
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
  const fsp = nodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises', fn);
  const path = nodeBuiltin<typeof import('node:path')>('node:path', fn);
  await ensureWritableDirectory(path.dirname(options.destination));
  const release = await acquireDownloadLock(`${options.destination}.lock`, {
    ...(options.lockTimeoutMs === undefined ? {} : { timeoutMs: options.lockTimeoutMs }),
  });
  try {
    if (await isVerified(options.destination, options.checksum)) return;
    await downloadLocked(options, retries, fsp, path);
  } finally {
    await release();
  }
}

/** True when `file` exists and matches `checksum`, or else its integrity record. */
async function isVerified(file: string, checksum: FileChecksum | undefined): Promise<boolean> {
  const fsp = nodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises', 'downloadFile');
  let bytes: Buffer;
  try {
    bytes = await fsp.readFile(file);
  } catch {
    return false;
  }
  return integrityProblem(bytes, checksum, await readIntegrityRecord(file)) === undefined;
}

/** What `<file>.part.json` says about the bytes in `<file>.part`. */
interface PartDescription {
  url: string;
  etag?: string;
  lastModified?: string;
  /** Full size of the resource, when the server said. */
  total?: number;
}

async function downloadLocked(
  options: DownloadFileOptions,
  retries: number,
  fsp: typeof import('node:fs/promises'),
  path: typeof import('node:path'),
): Promise<void> {
  const destination = options.destination;
  const partPath = `${destination}.part`;
  const fileName = path.basename(destination);
  const algorithms: ('md5' | 'sha256')[] = ['sha256'];
  if (options.checksum !== undefined && options.checksum.algorithm !== 'sha256') {
    algorithms.push(options.checksum.algorithm);
  }
  for (let round = 0; ; round++) {
    const total = await transferWithRetries(options, partPath, fileName, retries, fsp);
    const { size, digests } = await digestFile(partPath, algorithms);
    let problem: Error | undefined;
    if (total !== undefined && size !== total) {
      problem = new DownloadError(
        options.url,
        `received ${size} bytes but the server announced ${total}`,
      );
    } else if (options.checksum !== undefined) {
      const received = digests[options.checksum.algorithm] as string;
      if (received !== options.checksum.digest.toLowerCase()) {
        problem = new ChecksumError({
          fileName,
          algorithm: options.checksum.algorithm,
          expected: options.checksum.digest,
          received,
        });
      }
    } else {
      const gzipProblem = await gzipIntegrityProblem(partPath);
      if (gzipProblem !== undefined) {
        problem = new DownloadError(
          options.url,
          `the received gzip data is corrupt or truncated (${gzipProblem}) and no checksum was given to tell more`,
        );
      }
    }
    if (problem === undefined) {
      await fsp.rename(partPath, destination);
      await fsp.rm(`${partPath}.json`, { force: true });
      await writeIntegrityRecord(destination, { size, sha256: digests.sha256 as string });
      return;
    }
    // A flipped byte in transit, a stale part of other bytes, a server that lied about a range:
    // each is cured by one clean transfer from byte 0; a second failure is the source's.
    await removePart(fsp, partPath);
    if (round >= 1) throw problem;
  }
}

async function removePart(fsp: typeof import('node:fs/promises'), partPath: string): Promise<void> {
  await fsp.rm(partPath, { force: true });
  await fsp.rm(`${partPath}.json`, { force: true });
}

/** Why a file that starts with the gzip magic number does not decompress, or undefined. */
async function gzipIntegrityProblem(file: string): Promise<string | undefined> {
  const fs = nodeBuiltin<typeof import('node:fs')>('node:fs', 'downloadFile');
  const zlib = nodeBuiltin<typeof import('node:zlib')>('node:zlib', 'downloadFile');
  const stream = nodeBuiltin<typeof import('node:stream/promises')>(
    'node:stream/promises',
    'downloadFile',
  );
  const handle = await fs.promises.open(file, 'r');
  const magic = Buffer.alloc(2);
  try {
    await handle.read(magic, 0, 2, 0);
  } finally {
    await handle.close();
  }
  if (magic[0] !== 0x1f || magic[1] !== 0x8b) return undefined;
  try {
    // Decompress to nowhere: a truncated stream ends with "unexpected end of file", a changed
    // byte fails the CRC-32 or the length in the gzip trailer.
    await stream.pipeline(
      fs.createReadStream(file),
      zlib.createGunzip(),
      async (source: AsyncIterable<Buffer>) => {
        for await (const _chunk of source) {
          // discard
        }
      },
    );
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Transfers until the part file is complete; returns the full size when the server said it. */
async function transferWithRetries(
  options: DownloadFileOptions,
  partPath: string,
  fileName: string,
  retries: number,
  fsp: typeof import('node:fs/promises'),
): Promise<number | undefined> {
  let lastError: unknown;
  for (let attempt = 0; attempt <= retries; attempt++) {
    try {
      return await transfer(options, partPath, fileName, fsp);
    } catch (error) {
      if (error instanceof DownloadError && error.status !== undefined) {
        await removePart(fsp, partPath);
        throw error;
      }
      lastError = error;
    }
  }
  await removePart(fsp, partPath);
  throw new DownloadError(
    options.url,
    `gave up after ${retries + 1} attempts (${(lastError as Error).message})`,
    { cause: lastError },
  );
}

/** The resumable part's description, when it is one of `url`'s and its bytes exist. */
async function resumablePart(
  fsp: typeof import('node:fs/promises'),
  partPath: string,
  url: string,
): Promise<{ offset: number; description: PartDescription } | undefined> {
  let offset: number;
  try {
    offset = (await fsp.stat(partPath)).size;
  } catch {
    return undefined;
  }
  let description: PartDescription | undefined;
  try {
    description = JSON.parse(await fsp.readFile(`${partPath}.json`, 'utf8')) as PartDescription;
  } catch {
    description = undefined;
  }
  // A part nobody described (an older version, another tool) or of another URL may hold other
  // bytes: never resume it.
  if (description === undefined || description?.url !== url || offset === 0) {
    await removePart(fsp, partPath);
    return undefined;
  }
  if (description.total !== undefined && offset > description.total) {
    await removePart(fsp, partPath);
    return undefined;
  }
  return { offset, description };
}

const CONTENT_RANGE = /^bytes (\d+)-(\d+)\/(\d+|\*)$/;

async function transfer(
  options: DownloadFileOptions,
  partPath: string,
  fileName: string,
  fsp: typeof import('node:fs/promises'),
): Promise<number | undefined> {
  const fs = nodeBuiltin<typeof import('node:fs')>('node:fs', 'downloadFile');
  const part = await resumablePart(fsp, partPath, options.url);
  const validator = part?.description.etag ?? part?.description.lastModified;
  const response = await request(
    options.url,
    part === undefined
      ? {}
      : {
          Range: `bytes=${part.offset}-`,
          ...(validator === undefined ? {} : { 'If-Range': validator }),
        },
    options.timeoutMs ?? 30_000,
    5,
  );
  const status = response.statusCode ?? 0;
  if (status === 416 && part !== undefined) {
    response.resume();
    const match = /^bytes \*\/(\d+)$/.exec(String(response.headers['content-range'] ?? ''));
    const total = match === null ? undefined : Number(match[1]);
    // Complete already (killed before the rename) when the sizes agree; else start over.
    if (total !== undefined && total === part.offset && part.description.total === total)
      return total;
    await removePart(fsp, partPath);
    throw new Error(`the server refused the range ${part.offset}- (status 416)`);
  }
  if (status !== 200 && status !== 206) {
    response.resume();
    throw new DownloadError(
      options.url,
      `HTTP status ${status} ${response.statusMessage ?? ''}`.trim(),
      { status },
    );
  }
  const length = Number(response.headers['content-length'] ?? Number.NaN);
  let offset = 0;
  let total: number | undefined;
  if (status === 206) {
    const match = CONTENT_RANGE.exec(String(response.headers['content-range'] ?? ''));
    const start = match === null ? Number.NaN : Number(match[1]);
    const end = match === null ? Number.NaN : Number(match[2]);
    total = match === null || match[3] === '*' ? undefined : Number(match[3]);
    const expectedTotal = part?.description.total;
    if (
      part === undefined ||
      start !== part.offset ||
      (total !== undefined && end !== total - 1) ||
      (Number.isFinite(length) && length !== end - start + 1) ||
      (expectedTotal !== undefined && total !== expectedTotal)
    ) {
      // A range that is not the one asked for (e.g. a 206 restarting at byte 0): the bytes
      // cannot be appended; drop the part and start over from byte 0.
      response.destroy();
      await removePart(fsp, partPath);
      throw new Error(
        `the server answered the range ${part?.offset ?? 0}- with Content-Range '${String(response.headers['content-range'])}'`,
      );
    }
    offset = part.offset;
    total ??= expectedTotal;
  } else {
    total = Number.isFinite(length) ? length : undefined;
    const description: PartDescription = { url: options.url };
    const etag = response.headers.etag;
    // A weak ETag cannot validate a byte range (RFC 9110, If-Range).
    if (typeof etag === 'string' && !etag.startsWith('W/')) description.etag = etag;
    const lastModified = response.headers['last-modified'];
    if (typeof lastModified === 'string') description.lastModified = lastModified;
    if (total !== undefined) description.total = total;
    // Synchronous: no await between the response and its listeners (a cut would go unseen).
    fs.writeFileSync(`${partPath}.json`, JSON.stringify(description));
  }
  const out = fs.createWriteStream(partPath, { flags: offset > 0 ? 'a' : 'w' });
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
      options.onProgress?.({ fileName, bytesDone, bytesTotal: total });
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
      if (total !== undefined && bytesDone < total) {
        reject(new Error(`connection closed after ${bytesDone} of ${total} bytes`));
      } else {
        resolve();
      }
    });
    response.pipe(out);
  });
  return total;
}

async function request(
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
  redirectsLeft: number,
): Promise<import('node:http').IncomingMessage> {
  const protocol = url.startsWith('https:') ? 'node:https' : 'node:http';
  const client = nodeBuiltin<typeof import('node:https')>(protocol, 'downloadFile');
  const response = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    const req = client.get(url, { headers, timeout: timeoutMs }, resolve);
    req.on('timeout', () => req.destroy(new Error(`no data for ${timeoutMs} ms`)));
    req.on('error', reject);
  });
  const status = response.statusCode ?? 0;
  const location = response.headers.location;
  if (status >= 300 && status < 400 && location !== undefined) {
    response.resume();
    if (redirectsLeft === 0) throw new DownloadError(url, 'too many redirects', { status });
    return request(new URL(location, url).toString(), headers, timeoutMs, redirectsLeft - 1);
  }
  return response;
}
