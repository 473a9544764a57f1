import { describe, expect, it } from 'vitest';
import { parseRedisUrl, queueKeys } from './redis-connection';

describe('parseRedisUrl', () => {
  it('reads host, port, db and credentials', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6380')).toEqual({
      host: '127.0.0.1',
      port: 6380,
      db: 0,
      maxRetriesPerRequest: null,
    });
    expect(parseRedisUrl('rediss://me:s%40cret@cache.example:7000/2')).toEqual({
      host: 'cache.example',
      port: 7000,
      db: 2,
      username: 'me',
      password: 's@cret',
      tls: {},
      maxRetriesPerRequest: null,
    });
    expect(parseRedisUrl('redis://queue-host').port).toBe(6379);
  });

  it('names --queue for anything else', () => {
    expect(() => parseRedisUrl('localhost:6379')).toThrow(/--queue/);
    expect(() => parseRedisUrl('http://localhost:6379')).toThrow(/--queue/);
    expect(() => parseRedisUrl('redis://localhost/x')).toThrow(/--queue/);
  });

  it('keeps results apart per queue name', () => {
    expect(queueKeys('study').results).toBe('geokd:study:results');
  });
});
