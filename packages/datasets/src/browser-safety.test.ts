import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const srcDir = __dirname;
const sources = readdirSync(srcDir).filter(
  (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'test-fixtures.ts',
);

function staticImports(file: string): string[] {
  return staticImportsOf(readFileSync(join(srcDir, file), 'utf8'));
}

function staticImportsOf(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(/^\s*(?:import|export)\s(?!type\b)[^;]*?from\s+'([^']+)'/gms))
    out.push(match[1] as string);
  for (const match of text.matchAll(/^import\s+'([^']+)'/gm)) out.push(match[1] as string);
  return out;
}

describe('browser safety of the package', () => {
  it('has library sources to scan', () => {
    expect(sources).toContain('index.ts');
    expect(sources).toContain('synthetic-dataset.ts');
  });

  it('finds value imports but ignores type-only imports (self-check of the scan)', () => {
    const text =
      "import { a } from 'node:fs';\nimport type { B } from 'node:http';\nimport {\n  c,\n} from 'tar-stream';\nimport 'mnist';\n";
    expect(staticImportsOf(text)).toEqual(['node:fs', 'tar-stream', 'mnist']);
  });

  it.each(sources)(
    '%s imports no Node built-in, `mnist` or `tar-stream` at the top level',
    (file) => {
      const bad = staticImports(file).filter(
        (name) =>
          name.startsWith('node:') ||
          ['fs', 'path', 'os', 'http', 'https', 'zlib', 'crypto', 'mnist', 'tar-stream'].includes(
            name,
          ),
      );
      expect(bad).toEqual([]);
      expect(readFileSync(join(srcDir, file), 'utf8')).not.toMatch(/\brequire\(/);
    },
  );
});
