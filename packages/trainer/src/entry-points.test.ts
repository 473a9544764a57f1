import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const sourceDirectory = path.dirname(new URL(import.meta.url).pathname);
const repositoryRoot = path.resolve(sourceDirectory, '../../..');

/** The local files and packages `file` imports statically (type-only imports and `import()` excluded). */
function staticImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const imports: string[] = [];
  for (const match of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)) {
    imports.push(match[1]!);
  }
  for (const match of text.matchAll(/^import\s+'([^']+)'/gm)) imports.push(match[1]!);
  return imports;
}

/** Every module the main entry reaches through static imports, and the packages they import. */
function reachableFrom(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const specifier of staticImports(file)) {
      if (specifier.startsWith('.')) visit(path.resolve(path.dirname(file), `${specifier}.ts`));
      else packages.add(specifier);
    }
  };
  visit(entry);
  return { files, packages };
}

describe('entry points', () => {
  it('keeps the main entry browser-safe: no static node: import, no terminal or file code', () => {
    const { files, packages } = reachableFrom(path.join(sourceDirectory, 'index.ts'));
    const nodeOnly = [...packages].filter(
      (name) => name.startsWith('node:') || name === 'cli-progress',
    );
    expect(nodeOnly).toEqual([]);
    const names = [...files].map((file) => path.basename(file));
    for (const file of [
      'checkpoint-store.ts',
      'console-reporter.ts',
      'metrics-log.ts',
      'config-hash.ts',
    ]) {
      expect(names).not.toContain(file);
    }
  });

  it('declares the node entry in package.json exports and the build', () => {
    const manifest = JSON.parse(
      fs.readFileSync(path.join(sourceDirectory, '../package.json'), 'utf8'),
    );
    expect(manifest.exports['./node'].import.default).toBe('./dist/node.js');
    expect(fs.readFileSync(path.join(sourceDirectory, '../tsup.config.ts'), 'utf8')).toContain(
      'src/node.ts',
    );
  });
});

/**
 * Source files of the repository's packages and apps (tests and built output excluded): what git
 * tracks or would track, so git-ignored build products (dist, caches, the backend's device kit
 * bundles) are not scanned; a walk that skips the usual build folders when git is unavailable.
 */
function sourceFiles(): string[] {
  const isSource = (file: string) => /\.(ts|vue|mjs)$/.test(file) && !/\.test\.ts$/.test(file);
  const listed = spawnSync(
    'git',
    ['ls-files', '--cached', '--others', '--exclude-standard', '-z', 'packages', 'apps'],
    { cwd: repositoryRoot, encoding: 'utf8' },
  );
  if (listed.status === 0) {
    return listed.stdout
      .split('\0')
      .filter((file) => file !== '' && isSource(file))
      .map((file) => path.join(repositoryRoot, file))
      .filter((file) => fs.existsSync(file));
  }
  const out: string[] = [];
  const walk = (directory: string) => {
    for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
      if (
        ['node_modules', 'dist', 'cache', '.turbo', 'coverage', '.device-kit'].includes(entry.name)
      )
        continue;
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (isSource(entry.name)) out.push(full);
    }
  };
  for (const top of ['packages', 'apps']) walk(path.join(repositoryRoot, top));
  return out;
}

describe('one training step', () => {
  it('is the only code that differentiates a training objective or calls optimizer.minimize', () => {
    const allowed = new Set([path.join(sourceDirectory, 'training-step.ts')]);
    const offenders = sourceFiles().filter((file) => {
      // The backend's own benchmark times its kernels on a network of plain ops: the backend
      // stands alone (it may not depend on the trainer), so it keeps its own step.
      if (allowed.has(file) || file.includes(`${path.sep}backend${path.sep}bench${path.sep}`))
        return false;
      const text = fs.readFileSync(file, 'utf8');
      return /\.minimize\(|\bvariableGrads\(|\btf\.train\./.test(text);
    });
    expect(offenders.map((file) => path.relative(repositoryRoot, file))).toEqual([]);
  });
});
