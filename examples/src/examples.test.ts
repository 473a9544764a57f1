import { describe, expect, it } from 'vitest';
// The runner is plain JavaScript so that `node scripts/run-examples.mjs` needs no build.
import {
  collectExamples,
  extractBlocks,
  markingProblems,
  runExample,
  tail,
} from '../../scripts/run-examples.mjs';

describe('the runner', () => {
  it('reads markers: runnable with attributes, not-run with a reason, unmarked', () => {
    const markdown = [
      '<!-- example: add stdout="^3$" timeout=5 -->',
      '```ts',
      'console.log(1 + 2);',
      '```',
      '',
      '<!-- not-run: a fragment -->',
      '```js',
      'model.fit(x);',
      '```',
      '```ts',
      'unmarked();',
      '```',
      '```sh',
      'pnpm test',
      '```',
    ].join('\n');
    const blocks = extractBlocks(markdown, 'doc.md');
    expect(blocks.map((b) => [b.kind, b.name ?? b.reason ?? null, b.line])).toEqual([
      ['run', 'add', 2],
      ['not-run', 'a fragment', 7],
      ['unmarked', null, 10],
    ]);
    expect(blocks[0]).toMatchObject({ stdout: '^3$', timeoutS: 5, code: 'console.log(1 + 2);' });
    expect(markingProblems(blocks)).toEqual([
      'doc.md:10: ts block without a marker; put <!-- example: NAME --> (run and check it) or <!-- not-run: WHY --> above it',
    ]);
  });

  it('flags an example that checks nothing and duplicate names', () => {
    const markdown =
      '<!-- example: a -->\n```ts\nconsole.log(1);\n```\n<!-- example: a -->\n```ts\nassert.ok(1);\n```\n';
    expect(markingProblems(extractBlocks(markdown, 'doc.md'))).toEqual([
      'doc.md:2: example \'a\' checks no outcome (use node:assert, or stdout="…")',
      "doc.md:6: example name 'a' also used at doc.md:2",
    ]);
  });

  it('runs TypeScript and catches a failed assertion, a wrong output and a throw', () => {
    const make = (name: string, code: string, stdout?: string) => ({
      file: 'doc.md',
      line: 1,
      language: 'ts',
      kind: 'run' as const,
      name,
      code,
      stdout,
      timeoutS: 60,
    });
    const passing = runExample(
      make(
        'pass',
        "import assert from 'node:assert/strict';\nconst n: number = 2;\nassert.equal(n + 1, 3);\nconsole.log('three');",
        'three',
      ),
    );
    expect(passing).toMatchObject({ ok: true });
    const failing = runExample(
      make('fail', "import assert from 'node:assert/strict';\nassert.equal(1 + 1, 3);"),
    );
    expect(failing.ok).toBe(false);
    expect(failing.failure).toBe('exited with 1');
    expect(failing.stderr).toContain('AssertionError');
    expect(runExample(make('out', "console.log('two');", '^three')).failure).toBe(
      'stdout does not match /^three/',
    );
    const geokd = runExample(
      make(
        'resolve',
        "import { closestName } from '@geokd/errors';\nimport assert from 'node:assert';\nassert.equal(closestName('hintn', ['hinton']), 'hinton');",
      ),
    );
    expect(geokd.ok, tail(geokd.stderr)).toBe(true);
  });
});

describe('documented examples', () => {
  const blocks = collectExamples();

  it('every ts/js block of the READMEs and guides is marked, and every runnable one checks its outcome', () => {
    expect(markingProblems(blocks)).toEqual([]);
  });

  for (const block of blocks.filter((b) => b.kind === 'run')) {
    it(
      `${block.name} (${block.file}:${block.line})`,
      () => {
        const result = runExample(block);
        expect(result.ok, `${result.failure}\n${tail(result.stdout)}\n${tail(result.stderr)}`).toBe(
          true,
        );
      },
      (block.timeoutS + 30) * 1000,
    );
  }
});
