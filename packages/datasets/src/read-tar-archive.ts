import { assertBytes, assertOptions } from './assert-bytes';
import { DatasetFormatError } from './dataset-format-error';
import { gunzipBytes, isGzip } from './parse-idx';

/** Options of {@link readTarArchive}. */
export interface ReadTarArchiveOptions {
  /** Name used in error messages. @default 'tar archive' */
  fileName?: string;
  /** Keep only the members whose path passes this test. @default every regular file */
  include?: (name: string) => boolean;
}

/**
 * Reads the regular files of a tar archive (gunzipped first when it is a .tar.gz) into memory
 * with `tar-stream`. Returns a map from member path to bytes. Node only.
 *
 * @throws {@link InvalidArgumentError} when `bytes` is not a Uint8Array or `options` not an object.
 * @throws {@link DatasetFormatError} when the archive is corrupt or truncated; names the file.
 */
export async function readTarArchive(
  bytes: Uint8Array,
  options: ReadTarArchiveOptions = {},
): Promise<Map<string, Uint8Array>> {
  assertBytes(bytes, 'readTarArchive');
  assertOptions(options, 'readTarArchive');
  const fileName = options.fileName ?? 'tar archive';
  const tarBytes = isGzip(bytes) ? gunzipBytes(bytes, fileName) : bytes;
  // The name sits in a variable so that browser bundlers leave tar-stream (and its Node
  // stream dependencies) out of bundles that never read archives.
  const tarStreamName = 'tar-stream';
  const tarStream = (await import(/* @vite-ignore */ tarStreamName)) as typeof import('tar-stream');
  const extract = tarStream.extract();
  const files = new Map<string, Uint8Array>();
  try {
    extract.end(Buffer.from(tarBytes.buffer, tarBytes.byteOffset, tarBytes.byteLength));
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      if (entry.header.type === 'file' && (options.include?.(entry.header.name) ?? true)) {
        const joined = Buffer.concat(chunks);
        files.set(
          entry.header.name,
          new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength),
        );
      }
    }
  } catch (cause) {
    throw new DatasetFormatError(fileName, `corrupt tar archive (${(cause as Error).message})`, {
      cause,
    });
  }
  return files;
}
