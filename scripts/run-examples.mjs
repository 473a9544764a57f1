#!/usr/bin/env node
// Examples are tests: extracts the TypeScript/JavaScript code blocks of the READMEs and the docs
// guides, runs the ones marked runnable with node, and checks the outcome each one states.
//
// Marking, on the line(s) just before the fence:
//   <!-- example: NAME -->          run it; it must check its own outcome (node:assert), or
//   <!-- example: NAME stdout="RE" -->  … or print something matching the regular expression RE
//   <!-- example: NAME timeout=300 -->  seconds allowed (default 120)
//   <!-- not-run: WHY -->           a fragment or a sketch, shown but never run (WHY is required)
// A ts/js block with neither marker is an error, so a new example cannot slip past CI. Blocks of
// other languages (sh, json, text) are never run.
//
// Usage: node scripts/run-examples.mjs [--list] [--verbose] [NAME...]   (from anywhere)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The workspace package whose node_modules resolve `@geokd/*` and tfjs for the examples. */
export const examplesPackageDir = path.join(root, 'examples');
const CODE_LANGUAGES = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs', 'mts']);
const DEFAULT_TIMEOUT_S = 120;

/** The markdown files whose examples are checked, relative to the root. */
export function documentedFiles() {
  const files = ['README.md', 'apps/bench/README.md'];
  const addDir = (dir, filter = () => true) => {
    const full = path.join(root, dir);
    if (!fs.existsSync(full)) return;
    for (const name of fs.readdirSync(full).sort()) {
      if (name.endsWith('.md') && filter(name)) files.push(path.posix.join(dir, name));
    }
  };
  for (const pkg of fs.readdirSync(path.join(root, 'packages')).sort()) {
    if (fs.existsSync(path.join(root, 'packages', pkg, 'README.md'))) files.push(`packages/${pkg}/README.md`);
  }
  addDir('apps/docs/guide');
  addDir('apps/docs');
  return files.filter((file) => fs.existsSync(path.join(root, file)));
}

/** Parses `key=value` / `key="value"` attributes after the example name. */
function parseAttributes(text) {
  const attributes = {};
  for (const match of text.matchAll(/(\w+)=(?:"((?:[^"\\]|\\.)*)"|(\S+))/g)) {
    attributes[match[1]] = match[2] !== undefined ? match[2].replace(/\\"/g, '"') : match[3];
  }
  return attributes;
}

/**
 * Every ts/js code block of a markdown text, with its marker.
 * @returns {{ file: string, line: number, language: string, code: string,
 *   kind: 'run' | 'not-run' | 'unmarked', name?: string, reason?: string,
 *   stdout?: string, timeoutS: number }[]}
 */
export function extractBlocks(markdown, file) {
  const lines = markdown.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)(.*)$/.exec(lines[i]);
    if (!fence) continue;
    const [, indent, ticks, language] = fence;
    let end = i + 1;
    while (end < lines.length && !new RegExp(`^\\s*${ticks[0]}{${ticks.length},}\\s*$`).test(lines[end])) end++;
    const code = lines
      .slice(i + 1, end)
      .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
      .join('\n');
    if (CODE_LANGUAGES.has(language.toLowerCase())) {
      // The marker is the nearest non-blank line above the fence.
      let above = i - 1;
      while (above >= 0 && lines[above].trim() === '') above--;
      const marker = above >= 0 ? lines[above].trim() : '';
      const run = /^<!--\s*example:\s*([\w.-]+)(.*?)-->$/.exec(marker);
      const notRun = /^<!--\s*not-run:\s*(.*?)\s*-->$/.exec(marker);
      const block = { file, line: i + 1, language: language.toLowerCase(), code, timeoutS: DEFAULT_TIMEOUT_S };
      if (run) {
        const attributes = parseAttributes(run[2]);
        blocks.push({
          ...block,
          kind: 'run',
          name: run[1],
          stdout: attributes.stdout,
          timeoutS: attributes.timeout ? Number(attributes.timeout) : DEFAULT_TIMEOUT_S,
        });
      } else if (notRun && notRun[1] !== '') {
        blocks.push({ ...block, kind: 'not-run', reason: notRun[1] });
      } else {
        blocks.push({ ...block, kind: 'unmarked' });
      }
    }
    i = end;
  }
  return blocks;
}

/** The blocks of every documented file. */
export function collectExamples() {
  return documentedFiles().flatMap((file) =>
    extractBlocks(fs.readFileSync(path.join(root, file), 'utf8'), file),
  );
}

/**
 * Problems with the marking itself: unmarked blocks, duplicate names, runnable examples that
 * check nothing (neither an assertion nor a `stdout` pattern).
 */
export function markingProblems(blocks) {
  const problems = [];
  const names = new Map();
  for (const block of blocks) {
    const where = `${block.file}:${block.line}`;
    if (block.kind === 'unmarked') {
      problems.push(
        `${where}: ${block.language} block without a marker; put <!-- example: NAME --> (run and check it) or <!-- not-run: WHY --> above it`,
      );
    }
    if (block.kind !== 'run') continue;
    if (names.has(block.name)) problems.push(`${where}: example name '${block.name}' also used at ${names.get(block.name)}`);
    names.set(block.name, where);
    if (!/\bassert\b/.test(block.code) && block.stdout === undefined) {
      problems.push(`${where}: example '${block.name}' checks no outcome (use node:assert, or stdout="…")`);
    }
    if (!(block.timeoutS > 0)) problems.push(`${where}: example '${block.name}' has an invalid timeout`);
  }
  return problems;
}

let esbuild;
function transpile(code, loader) {
  esbuild ??= createRequire(path.join(examplesPackageDir, 'package.json'))('esbuild');
  return esbuild.transformSync(code, { loader, format: 'esm', target: 'node20', sourcemap: 'inline' }).code;
}

/**
 * Runs one example with node in a fresh temporary working folder (files it writes land there),
 * resolving `@geokd/*` through the examples package. Returns what happened; never throws for a
 * failing example.
 */
export function runExample(block, { env = {} } = {}) {
  const scratch = path.join(examplesPackageDir, '.examples');
  fs.mkdirSync(scratch, { recursive: true });
  const base = `${block.name}-${process.pid}`;
  const file = path.join(scratch, `${base}.mjs`);
  const loader = block.language.startsWith('t') || block.language === 'mts' ? 'ts' : 'js';
  const header = `// ${block.file}:${block.line} (example ${block.name})\n`;
  fs.writeFileSync(file, header + transpile(block.code, loader));
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), `geokd-example-${block.name}-`));
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--enable-source-maps', file], {
    cwd,
    encoding: 'utf8',
    timeout: block.timeoutS * 1000,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NODE_ENV: 'test', FORCE_COLOR: '0', ...env },
  });
  const seconds = (performance.now() - started) / 1000;
  fs.rmSync(cwd, { recursive: true, force: true });
  fs.rmSync(file, { force: true });
  const timedOut = child.error?.code === 'ETIMEDOUT';
  let failure;
  if (timedOut) failure = `timed out after ${block.timeoutS} s`;
  else if (child.error) failure = `could not run: ${child.error.message}`;
  else if (child.status !== 0) failure = `exited with ${child.status ?? child.signal}`;
  else if (block.stdout !== undefined && !new RegExp(block.stdout).test(child.stdout)) {
    failure = `stdout does not match /${block.stdout}/`;
  }
  return { ok: failure === undefined, failure, stdout: child.stdout ?? '', stderr: child.stderr ?? '', seconds };
}

/** The last lines of a text, for failure reports. */
export function tail(text, lines = 30) {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const blocks = collectExamples();
  if (args.includes('--list')) {
    for (const block of blocks) {
      const what = block.kind === 'run' ? `run ${block.name}` : block.kind === 'not-run' ? `not run (${block.reason})` : 'UNMARKED';
      console.log(`${block.file}:${block.line}  ${what}`);
    }
    process.exit(0);
  }
  const problems = markingProblems(blocks);
  for (const problem of problems) console.error(`run-examples: ${problem}`);
  const wanted = args.filter((arg) => !arg.startsWith('--'));
  const runnable = blocks.filter((block) => block.kind === 'run' && (wanted.length === 0 || wanted.includes(block.name)));
  let failed = problems.length;
  for (const block of runnable) {
    const result = runExample(block);
    const label = `${block.name} (${block.file}:${block.line})`;
    if (result.ok) {
      console.log(`ok    ${label} ${result.seconds.toFixed(1)} s`);
      if (args.includes('--verbose')) console.log(tail(result.stdout, 10));
    }
    else {
      failed += 1;
      console.log(`FAIL  ${label}: ${result.failure}\n${tail(result.stdout)}\n${tail(result.stderr)}`);
    }
  }
  console.log(`\n${runnable.length - (failed - problems.length)} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}
