import type { FileChecksum } from './dataset-sources';
import { nodeBuiltin } from './node-modules';

/**
 * What the cache knows about a file it holds: written next to it (`<file>.integrity.json`)
 * after the file was verified and renamed into place, and checked before every later use.
 * @internal
 */
export interface IntegrityRecord {
  /** Size in bytes. */
  size: number;
  /** SHA-256 of the bytes (hex). */
  sha256: string;
}

/** Path of the integrity record of `file`. @internal */
export function integrityRecordPath(file: string): string {
  return `${file}.integrity.json`;
}

/** Hex digest of `bytes`. @internal */
export function digestBytes(bytes: Uint8Array, algorithm: 'md5' | 'sha256'): string {
  const crypto = nodeBuiltin<typeof import('node:crypto')>('node:crypto', 'digestBytes');
  return crypto.createHash(algorithm).update(bytes).digest('hex');
}

/** Hex digests of a file's bytes, streamed (large archives never sit in memory twice). @internal */
export async function digestFile(
  file: string,
  algorithms: ('md5' | 'sha256')[],
): Promise<{ size: number; digests: Record<string, string> }> {
  const fs = nodeBuiltin<typeof import('node:fs')>('node:fs', 'digestFile');
  const crypto = nodeBuiltin<typeof import('node:crypto')>('node:crypto', 'digestFile');
  const hashes = algorithms.map((algorithm) => crypto.createHash(algorithm));
  let size = 0;
  for await (const chunk of fs.createReadStream(file)) {
    size += (chunk as Buffer).length;
    for (const hash of hashes) hash.update(chunk as Buffer);
  }
  const digests: Record<string, string> = {};
  algorithms.forEach((algorithm, i) => {
    digests[algorithm] = (hashes[i] as import('node:crypto').Hash).digest('hex');
  });
  return { size, digests };
}

/** Reads the integrity record of `file`; undefined when missing or malformed. @internal */
export async function readIntegrityRecord(file: string): Promise<IntegrityRecord | undefined> {
  const fsp = nodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises', 'readIntegrity');
  try {
    const parsed = JSON.parse(await fsp.readFile(integrityRecordPath(file), 'utf8')) as unknown;
    const record = parsed as Partial<IntegrityRecord> | null;
    if (
      record !== null &&
      typeof record === 'object' &&
      Number.isSafeInteger(record.size) &&
      typeof record.sha256 === 'string' &&
      /^[0-9a-f]{64}$/.test(record.sha256)
    ) {
      return { size: record.size as number, sha256: record.sha256 };
    }
  } catch {
    // Missing or unreadable: the file counts as unverified.
  }
  return undefined;
}

/**
 * Writes the integrity record of `file` through a uniquely named temporary file and a rename,
 * so a reader (or a concurrent writer) never sees half a record. @internal
 */
export async function writeIntegrityRecord(file: string, record: IntegrityRecord): Promise<void> {
  const fsp = nodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises', 'writeIntegrity');
  const target = integrityRecordPath(file);
  const temporary = `${target}.${uniqueSuffix()}.tmp`;
  await fsp.writeFile(temporary, `${JSON.stringify(record)}\n`);
  await fsp.rename(temporary, target);
}

/** `<pid>-<random>`: unique per process and call. @internal */
export function uniqueSuffix(): string {
  const pid = (globalThis as { process?: { pid?: number } }).process?.pid ?? 0;
  return `${pid}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * Why `bytes` are not the verified content of a cached file, or undefined when they are: a
 * known checksum decides when given (the record is then not needed); otherwise the size and
 * SHA-256 of the integrity record must match. @internal
 */
export function integrityProblem(
  bytes: Uint8Array,
  checksum: FileChecksum | undefined,
  record: IntegrityRecord | undefined,
): string | undefined {
  if (checksum !== undefined) {
    const received = digestBytes(bytes, checksum.algorithm);
    return received === checksum.digest.toLowerCase()
      ? undefined
      : `its ${checksum.algorithm} is ${received}, expected ${checksum.digest}`;
  }
  if (record === undefined) return 'it has no integrity record (size and SHA-256)';
  if (bytes.byteLength !== record.size) {
    return `it has ${bytes.byteLength} bytes but its integrity record says ${record.size}`;
  }
  const sha256 = digestBytes(bytes, 'sha256');
  return sha256 === record.sha256 ? undefined : `its SHA-256 differs from its integrity record`;
}
