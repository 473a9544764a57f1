import { GeokdError } from '@geokd/errors';
import { assertOptions } from './assert-bytes';
import { resolveCacheDirectory } from './cache-directory';
import type { DatasetFileOptions } from './dataset-file-options';
import type { DatasetFile, DatasetSource, FileChecksum } from './dataset-sources';
import { downloadFile } from './download-file';
import {
  digestBytes,
  integrityProblem,
  readIntegrityRecord,
  writeIntegrityRecord,
} from './file-integrity';
import { nodeBuiltin } from './node-modules';

/**
 * Returns the bytes of one file of a dataset: from `dataDir` when given, else from the cache,
 * downloading (and verifying) it first when missing. Node only.
 * @internal
 */
export async function fetchDatasetFile(
  source: DatasetSource,
  file: DatasetFile,
  options: DatasetFileOptions,
  caller: string,
): Promise<{ bytes: Uint8Array; path: string }> {
  assertOptions(options, caller);
  const fsp = nodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises', caller);
  const path = nodeBuiltin<typeof import('node:path')>('node:path', caller);
  if (options.dataDir !== undefined) {
    const filePath = path.join(options.dataDir, file.name);
    try {
      const buffer = await fsp.readFile(filePath);
      return {
        bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength),
        path: filePath,
      };
    } catch (cause) {
      throw new GeokdError(
        `${caller}: cannot read ${filePath} (${(cause as Error).message}); dataDir must hold ${file.name}`,
        {
          code: 'file-missing',
          cause,
        },
      );
    }
  }
  const directory = path.join(resolveCacheDirectory(options.cacheDir), source.id);
  const filePath = path.join(directory, file.name);
  const override = options.checksums?.[file.name];
  const checksum = override === null ? undefined : (override ?? file.checksum);
  // Every read of the cache is verified: against the known checksum, else against the size and
  // SHA-256 recorded when the file was downloaded. A file that fails is downloaded again.
  const cached = await readVerified(filePath, checksum, caller);
  if (cached.bytes !== undefined) return { bytes: cached.bytes, path: filePath };
  if (options.download === false) {
    throw new GeokdError(
      cached.problem === undefined
        ? `${caller}: ${filePath} is not in the cache and download is false`
        : `${caller}: ${filePath} in the cache cannot be trusted (${cached.problem}) and download is false; delete it or allow the download`,
      { code: 'file-missing' },
    );
  }
  if (checksum === undefined) {
    (options.onWarning ?? console.warn)(
      `${caller}: no checksum known for ${file.name}; it is checked only for its announced size and gzip integrity, then recorded (size, SHA-256) to detect later changes`,
    );
  }
  const baseUrl = options.baseUrl ?? source.baseUrl;
  const url = `${baseUrl}${baseUrl.endsWith('/') ? '' : '/'}${file.name}`;
  await downloadFile({
    url,
    destination: filePath,
    ...(checksum === undefined ? {} : { checksum }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.retries === undefined ? {} : { retries: options.retries }),
  });
  const fresh = await readVerified(filePath, checksum, caller);
  if (fresh.bytes === undefined) {
    // Only another process replacing the file between our download and this read gets here.
    throw new GeokdError(
      `${caller}: ${filePath} changed right after its download (${fresh.problem ?? 'missing'}); try again`,
      { code: 'file-unreadable' },
    );
  }
  return { bytes: fresh.bytes, path: filePath };
}

/** The cached file's bytes when present and verified; else why not (undefined: missing). */
async function readVerified(
  filePath: string,
  checksum: FileChecksum | undefined,
  caller: string,
): Promise<{ bytes?: Uint8Array; problem?: string }> {
  const fsp = nodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises', caller);
  let buffer: Buffer;
  try {
    buffer = await fsp.readFile(filePath);
  } catch (cause) {
    if ((cause as { code?: string }).code === 'ENOENT') return {};
    throw new GeokdError(`${caller}: cannot read ${filePath} (${(cause as Error).message})`, {
      code: 'file-unreadable',
      cause,
    });
  }
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const record = await readIntegrityRecord(filePath);
  const problem = integrityProblem(bytes, checksum, record);
  if (problem !== undefined) return { problem };
  if (record === undefined) {
    // Verified by its checksum (e.g. placed by hand): record it for the checks to come.
    await writeIntegrityRecord(filePath, {
      size: bytes.byteLength,
      sha256: digestBytes(bytes, 'sha256'),
    }).catch(() => undefined);
  }
  return { bytes };
}
