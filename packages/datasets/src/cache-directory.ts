import { CacheDirectoryError } from './cache-directory-error';
import { nodeBuiltin } from './node-modules';

/**
 * The cache folder: `option` when given, else the `GEOKD_CACHE_DIR` environment variable, else
 * `~/.cache/geokd`. Node only.
 */
export function resolveCacheDirectory(option?: string): string {
  if (option !== undefined && option !== '') return option;
  const fromEnv = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env?.GEOKD_CACHE_DIR;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const os = nodeBuiltin<typeof import('node:os')>('node:os', 'resolveCacheDirectory');
  const path = nodeBuiltin<typeof import('node:path')>('node:path', 'resolveCacheDirectory');
  return path.join(os.homedir(), '.cache', 'geokd');
}

/**
 * Creates `directory` (recursively) and checks it is writable.
 * @throws {@link CacheDirectoryError} when it cannot be created or written.
 * @internal
 */
export async function ensureWritableDirectory(directory: string): Promise<void> {
  const fs = nodeBuiltin<typeof import('node:fs/promises')>(
    'node:fs/promises',
    'ensureWritableDirectory',
  );
  const { constants } = nodeBuiltin<typeof import('node:fs')>('node:fs', 'ensureWritableDirectory');
  try {
    await fs.mkdir(directory, { recursive: true });
  } catch (cause) {
    throw new CacheDirectoryError(directory, `cannot be created (${(cause as Error).message})`, {
      cause,
    });
  }
  try {
    await fs.access(directory, constants.W_OK);
  } catch (cause) {
    throw new CacheDirectoryError(directory, `is not writable (${(cause as Error).message})`, {
      cause,
    });
  }
}
