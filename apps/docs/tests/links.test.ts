import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../.vitepress/dist/', import.meta.url));

function htmlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'assets' ? [] : htmlFiles(path);
    return name.endsWith('.html') ? [path] : [];
  });
}

/** Where a site-relative link lands in the build, the way a static host resolves it. */
function target(fromFile: string, href: string): string {
  const path = decodeURIComponent(href.split('#')[0]?.split('?')[0] ?? '');
  const absolute = path.startsWith('/') ? join(dist, path) : join(fromFile, '..', path);
  if (path.endsWith('/')) return join(absolute, 'index.html');
  return absolute;
}

describe('the built site links', () => {
  it('has no internal link to a page that does not exist (API pages included)', () => {
    expect(existsSync(`${dist}index.html`), 'run `pnpm --filter docs build` first').toBe(true);
    const broken: string[] = [];
    for (const file of htmlFiles(dist)) {
      const html = readFileSync(file, 'utf8');
      for (const match of html.matchAll(/<a [^>]*href="([^"]+)"/g)) {
        const href = match[1] as string;
        if (/^[a-z]+:/i.test(href) || href.startsWith('#') || href.startsWith('//')) continue;
        const path = target(file, href);
        const ok =
          existsSync(path) ||
          existsSync(`${path}.html`) ||
          existsSync(path.replace(/\.md$/, '.html'));
        if (!ok) broken.push(`${relative(dist, file)} → ${href}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
