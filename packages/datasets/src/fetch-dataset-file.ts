import { GeokdError } from '@geokd/errors';
import { resolveCacheDirectory } from './cache-directory';
import type { DatasetFileOptions } from './dataset-file-options';
import type { DatasetFile, DatasetSource } from './dataset-sources';
import { downloadFile } from './download-file';
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
  try {
    const buffer = await fsp.readFile(filePath);
    return {
      bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength),
      path: filePath,
    };
  } catch (cause) {
    if ((cause as { code?: string }).code !== 'ENOENT') {
      throw new GeokdError(`${caller}: cannot read ${filePath} (${(cause as Error).message})`, {
        code: 'file-unreadable',
        cause,
      });
    }
  }
  if (options.download === false) {
    throw new GeokdError(`${caller}: ${filePath} is not in the cache and download is false`, {
      code: 'file-missing',
    });
  }
  const override = options.checksums?.[file.name];
  const checksum = override === null ? undefined : (override ?? file.checksum);
  if (checksum === undefined) {
    (options.onWarning ?? console.warn)(
      `${caller}: no published checksum known for ${file.name}; it is kept unverified`,
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
  const buffer = await fsp.readFile(filePath);
  return {
    bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength),
    path: filePath,
  };
}
