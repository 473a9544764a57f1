import { InvalidArgumentError } from '@geokd/errors';

/** Connection options BullMQ (ioredis) takes, parsed from a `redis://` URL. */
export interface RedisConnectionOptions {
  /** Host name or address. */
  host: string;
  /** Port. */
  port: number;
  /** Database number. */
  db: number;
  /** User name (Redis 6 ACL). */
  username?: string;
  /** Password. */
  password?: string;
  /** TLS for `rediss://`. */
  tls?: Record<string, never>;
  /** BullMQ's workers need blocking commands to wait forever, not fail after retries. */
  maxRetriesPerRequest: null;
}

/**
 * Parses `redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS).
 *
 * @throws InvalidArgumentError naming `--queue` for anything else.
 */
export function parseRedisUrl(text: string): RedisConnectionOptions {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError({
      functionName: 'geokd-bench',
      argument: '--queue',
      expected: 'a Redis URL such as redis://127.0.0.1:6379',
      received: `'${text}'`,
    });
  }
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  if ((url.protocol !== 'redis:' && url.protocol !== 'rediss:') || !Number.isInteger(db)) {
    throw new InvalidArgumentError({
      functionName: 'geokd-bench',
      argument: '--queue',
      expected: 'a Redis URL such as redis://127.0.0.1:6379 (redis:// or rediss://, /db optional)',
      received: `'${text}'`,
    });
  }
  return {
    host: url.hostname || '127.0.0.1',
    port: url.port ? Number(url.port) : 6379,
    db,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

/** Redis keys of a sweep queue: BullMQ's queue, and the hashes of results and completions. */
export function queueKeys(queueName: string): {
  queue: string;
  results: string;
  completions: string;
} {
  return {
    queue: queueName,
    results: `geokd:${queueName}:results`,
    completions: `geokd:${queueName}:completions`,
  };
}
