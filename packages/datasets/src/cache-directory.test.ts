import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveCacheDirectory } from './cache-directory';

describe('resolveCacheDirectory', () => {
  const saved = process.env.GEOKD_CACHE_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.GEOKD_CACHE_DIR;
    else process.env.GEOKD_CACHE_DIR = saved;
  });

  it('prefers the option, then GEOKD_CACHE_DIR, then ~/.cache/geokd', () => {
    process.env.GEOKD_CACHE_DIR = '/tmp/from-env';
    expect(resolveCacheDirectory('/tmp/from-option')).toBe('/tmp/from-option');
    expect(resolveCacheDirectory()).toBe('/tmp/from-env');
    delete process.env.GEOKD_CACHE_DIR;
    expect(resolveCacheDirectory()).toBe(join(homedir(), '.cache', 'geokd'));
  });
});
