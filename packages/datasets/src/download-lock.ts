import { GeokdError } from '@geokd/errors';
import { uniqueSuffix } from './file-integrity';
import { nodeBuiltin } from './node-modules';

/** Options of {@link acquireDownloadLock}. @internal */
export interface DownloadLockOptions {
  /** Give up waiting after this long. @default 600000 (10 minutes) */
  timeoutMs?: number;
  /** A lock whose holder has not refreshed it for this long is taken over. @default 20000 */
  staleMs?: number;
  /** Delay between attempts while another holder works. @default 50 */
  pollMs?: number;
}

interface LockContent {
  pid: number;
  host: string;
  token: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Takes `lockPath` (created exclusively, `O_EXCL`) so that one downloader at a time works on a
 * cache file; the others wait and then find the file ready. The holder refreshes the lock's
 * modification time every second; a lock left by a dead process (same host, pid gone) or not
 * refreshed for `staleMs` is taken over. Returns the release function. Node only.
 * @throws {@link GeokdError} (`download-lock-timeout`) after `timeoutMs` of waiting.
 * @internal
 */
export async function acquireDownloadLock(
  lockPath: string,
  options: DownloadLockOptions = {},
): Promise<() => Promise<void>> {
  const fsp = nodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises', 'downloadLock');
  const os = nodeBuiltin<typeof import('node:os')>('node:os', 'downloadLock');
  const timeoutMs = options.timeoutMs ?? 600_000;
  const staleMs = options.staleMs ?? 20_000;
  const pollMs = options.pollMs ?? 50;
  const pid = (globalThis as { process?: { pid?: number } }).process?.pid ?? 0;
  const content: LockContent = { pid, host: os.hostname(), token: uniqueSuffix() };
  const started = Date.now();
  for (;;) {
    try {
      const handle = await fsp.open(lockPath, 'wx');
      try {
        await handle.writeFile(JSON.stringify(content));
      } finally {
        await handle.close();
      }
      const heartbeat = setInterval(() => {
        const now = new Date();
        fsp.utimes(lockPath, now, now).catch(() => undefined);
      }, 1000);
      heartbeat.unref?.();
      return async () => {
        clearInterval(heartbeat);
        // Remove only our own lock (a holder that took it over as stale keeps its own).
        const current = await readLock(fsp, lockPath);
        if (current?.token === content.token) await fsp.rm(lockPath, { force: true });
      };
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
    }
    await removeIfStale(fsp, lockPath, content.host, staleMs);
    if (Date.now() - started > timeoutMs) {
      throw new GeokdError(
        `download lock ${lockPath} is still held after ${timeoutMs} ms; if no other download is running, delete it`,
        { code: 'download-lock-timeout' },
      );
    }
    await sleep(pollMs);
  }
}

async function readLock(
  fsp: typeof import('node:fs/promises'),
  lockPath: string,
): Promise<LockContent | undefined> {
  try {
    return JSON.parse(await fsp.readFile(lockPath, 'utf8')) as LockContent;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    (
      globalThis as unknown as { process: { kill: (pid: number, signal: number) => void } }
    ).process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

async function removeIfStale(
  fsp: typeof import('node:fs/promises'),
  lockPath: string,
  host: string,
  staleMs: number,
): Promise<void> {
  let info: import('node:fs').Stats;
  try {
    info = await fsp.stat(lockPath);
  } catch {
    return;
  }
  const holder = await readLock(fsp, lockPath);
  // A lock being written right now has no content yet: it is fresh unless old.
  const deadHolder = holder !== undefined && holder.host === host && !isAlive(holder.pid);
  if (!deadHolder && Date.now() - info.mtimeMs < staleMs) return;
  // Move it aside under a unique name: of several processes that saw it stale, one wins the
  // rename; the winner then checks it moved the lock it judged (not a new holder's lock).
  const aside = `${lockPath}.stale-${uniqueSuffix()}`;
  try {
    await fsp.rename(lockPath, aside);
  } catch {
    return;
  }
  const moved = await fsp.stat(aside).catch(() => undefined);
  if (moved !== undefined && moved.ino !== info.ino) {
    await fsp.rename(aside, lockPath).catch(() => undefined);
    return;
  }
  await fsp.rm(aside, { force: true });
}
