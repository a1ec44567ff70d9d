/**
 * Docs that cannot drift: every error code, bus event, CLI command and flag (of ringbus, the
 * example, the bench or node), and bus / handler / persistence / worker option that README.md,
 * docs/*.md or an example README names must exist in the code. (The reverse for error codes —
 * every code documented — is in errors.test.ts.)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { COMMANDS } from '../src/cli/commands.js';
import { ERROR_CODES } from '../src/errors.js';
import { RingBuffer, RingBus } from '../src/index.js';
import { USAGE as EXAMPLE_USAGE } from '../examples/order-matching/cli/args.js';

const ROOT = new URL('../../', import.meta.url); // dist/test → repository root
const read = (path: string): string => readFileSync(new URL(path, ROOT), 'utf8');

const DOCS = [
  'README.md',
  ...readdirSync(new URL('docs/', ROOT))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
  ...readdirSync(new URL('examples/', ROOT), { withFileTypes: true })
    .filter((d) => d.isDirectory() && readdirSync(new URL(`examples/${d.name}/`, ROOT)).includes('README.md'))
    .map((d) => `examples/${d.name}/README.md`),
];

/** Every `inline code` span and fenced block of a markdown file. */
function codeOf(text: string): string[] {
  const blocks = [...text.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
  const prose = text.replace(/^```[^\n]*\n[\s\S]*?^```/gm, '');
  return [...blocks, ...[...prose.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!)];
}

/** The .ts files under a folder of the repository (relative paths). */
function sourceFiles(dir: string): string[] {
  return readdirSync(new URL(dir, ROOT), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(`${dir}${e.name}/`) : e.name.endsWith('.ts') ? [`${dir}${e.name}`] : [],
  );
}

/** Field names of `export interface <name>` in a source file (its top-level members). */
function interfaceFields(file: string, name: string): Set<string> {
  const text = read(file);
  const start = text.indexOf(`export interface ${name}`);
  assert.ok(start >= 0, `${file} declares no interface ${name}`);
  const body = text.slice(text.indexOf('{', start) + 1);
  let depth = 0;
  let end = 0;
  for (; end < body.length; end++) {
    if (body[end] === '{') depth++;
    else if (body[end] === '}' && depth-- === 0) break;
  }
  return new Set([...body.slice(0, end).matchAll(/^ {2}(?:readonly )?([A-Za-z]\w*)\??:/gm)].map((m) => m[1]!));
}

/** Names `emit('…')` is called with anywhere in src. */
function emittedEvents(): Set<string> {
  const names = new Set<string>();
  (function walk(dir: URL): void {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(new URL(`${e.name}/`, dir));
      else if (e.name.endsWith('.ts'))
        for (const m of readFileSync(new URL(e.name, dir), 'utf8').matchAll(/\.emit\('([\w-]+)'/g)) names.add(m[1]!);
    }
  })(new URL('src/', ROOT));
  return names;
}

function missing(found: Iterable<[string, string]>, exists: (name: string) => boolean): string[] {
  return [...found].filter(([, name]) => !exists(name)).map(([doc, name]) => `${doc}: ${name}`);
}

describe('docs match the code', () => {
  it('should read every documentation file', () => {
    assert.ok(DOCS.includes('README.md') && DOCS.includes('docs/errors.md') && DOCS.length >= 5, DOCS.join(', '));
  });

  it('should name only error codes that exist', () => {
    const found = DOCS.flatMap((d) =>
      [...read(d).matchAll(/RINGBUS_ERR_[A-Z0-9_]+/g)].map((m): [string, string] => [d, m[0]]),
    );
    assert.ok(found.length > 50, `found only ${found.length} error codes in the docs`);
    assert.deepEqual(
      missing(found, (c) => c in ERROR_CODES),
      [],
    );
  });

  it('should name only bus events the code emits', () => {
    const emitted = emittedEvents();
    // `.on('x'` / `.once('x'`, "emits 'x'", "'x' event" (quotes inside or outside backticks)
    const pattern = /\.(?:on|once)\('([\w-]+)'|\bemit(?:s|ted)?\b[^.\n]{0,40}?`?'([\w-]+)'|`?'([\w-]+)'`? event/g;
    const found = DOCS.flatMap((d) =>
      [...read(d).matchAll(pattern)].map((m): [string, string] => [d, m[1] ?? m[2] ?? m[3]!]),
    );
    assert.ok(
      found.some(([, e]) => e === 'halt'),
      "the docs name the 'halt' event",
    );
    // events of Node's own emitters the docs name on purpose (readline's 'line' in the NDJSON baseline)
    const nodeEvents = new Set(['line']);
    assert.deepEqual(
      missing(found, (e) => emitted.has(e) || nodeEvents.has(e)),
      [],
    );
  });

  it('should name only ringbus commands and flags that exist', () => {
    const paths = COMMANDS.map((c) => c.path.join(' '));
    const flags = new Set(['help', ...COMMANDS.flatMap((c) => Object.keys(c.options))]);
    const found: [string, string][] = [];
    const badFlags: [string, string][] = [];
    for (const d of DOCS)
      for (const code of codeOf(read(d)))
        for (const line of code.split('\n')) {
          // a program's output line (`ringbus order-matching: …`) is not a command
          const m = /(?:^|[\s$])ringbus ((?:[a-z][\w-]*)(?: [a-z][\w-]*)?)(?![\w:-])/.exec(line);
          if (!m) continue;
          const words = m[1]!.split(' ');
          // `ringbus journal verify` → the two-word path; `ringbus replay <dir>` → replay
          found.push([d, paths.includes(words.join(' ')) ? words.join(' ') : words[0]!]);
          for (const f of line.slice(m.index).matchAll(/\s--([a-z][\w-]*)/g)) badFlags.push([d, f[1]!]);
        }
    assert.ok(found.length >= 3, `found only ${found.length} ringbus command lines`);
    assert.deepEqual(
      missing(found, (p) => paths.includes(p) || paths.some((q) => q.startsWith(`${p} `))),
      [],
    );
    assert.deepEqual(
      missing(badFlags, (f) => flags.has(f)),
      [],
    );
  });

  it('should name only --flags that the program they belong to takes (ringbus, the example, the bench, node)', () => {
    const known = new Set(['help', ...COMMANDS.flatMap((c) => Object.keys(c.options))]);
    for (const m of EXAMPLE_USAGE.matchAll(/--([a-z][\w-]*)/g)) known.add(m[1]!);
    // the bench's flags: the string literals its option parsers compare against
    for (const file of sourceFiles('bench/'))
      for (const m of read(file).matchAll(/'--([a-z][\w-]*)'/g)) known.add(m[1]!);
    for (const m of execFileSync(process.execPath, ['--help'], { encoding: 'utf8' }).matchAll(/^\s+--([a-z][\w-]*)/gm))
      known.add(m[1]!);
    const found = DOCS.flatMap((d) =>
      codeOf(read(d)).flatMap((code) =>
        [...code.matchAll(/(?<![\w-])--([a-z][\w-]*)/g)].map((m): [string, string] => [d, m[1]!]),
      ),
    );
    assert.ok(found.length >= 20, `found only ${found.length} flags in the docs`);
    assert.ok(
      known.has('fsync') && known.has('quick') && known.has('data-dir') && known.has('cpu-prof'),
      [...known].join(),
    );
    assert.deepEqual(
      missing(found, (f) => known.has(f)),
      [],
    );
  });

  it('should list in the README bus options, persistence options and methods that exist', () => {
    const readme = read('README.md');
    const busOptions = interfaceFields('src/topology/BusPlan.ts', 'RingBusOptions');
    const persistence = interfaceFields('src/topology/BusPersistence.ts', 'PersistenceOptions');
    const workers = interfaceFields('src/topology/placement.ts', 'WorkerOptions');
    const handler = interfaceFields('src/topology/HandlerRef.ts', 'HandlerOptions');
    const section = (heading: string): string => {
      const start = readme.indexOf(heading);
      assert.ok(start >= 0, `README has no section ${heading}`);
      const rest = readme.slice(start + heading.length);
      return rest.slice(0, rest.search(/^#{2,3} /m));
    };
    const bus = section('### The bus:');
    const rows = [...bus.matchAll(/^\| `([^`]+)`[^|]*\| ([^|]*)\|/gm)].map((m) => [m[1]!, m[2]!] as const);
    const problems: string[] = [];
    const optionRows = rows.slice(
      0,
      [...rows].findIndex(([name]) => name.startsWith('handler(')),
    );
    assert.ok(optionRows.length >= 8, `found ${optionRows.length} option rows`);
    for (const [name] of optionRows) if (!busOptions.has(name)) problems.push(`RingBus option ${name}`);
    const braces = (text: string): string[] =>
      [...text.matchAll(/\{ ([^}]+) \}/g)].flatMap((m) => m[1]!.split(',').map((s) => s.trim().replace(/[?…]/g, '')));
    for (const name of braces(bus.match(/^\| `persistence` .*$/m)?.[0] ?? ''))
      if (name && !persistence.has(name)) problems.push(`persistence option ${name}`);
    for (const name of braces(bus.match(/^\| `workers` .*$/m)?.[0] ?? '').filter((n) => !n.startsWith('[')))
      if (name && !workers.has(name)) problems.push(`worker option ${name}`);
    for (const name of braces(bus.match(/^\| `handler\(.*$/m)?.[0] ?? ''))
      if (!handler.has(name)) problems.push(`handler option ${name}`);
    for (const d of DOCS)
      for (const m of read(d).matchAll(/(?<![\w/])persistence\.(?!md\b)([a-zA-Z]+)/g))
        if (!persistence.has(m[1]!)) problems.push(`${d}: persistence.${m[1]}`);
    const methods = rows.slice(optionRows.length).flatMap(([name]) => [...name.matchAll(/^(\w+)\(|^(\w+)$/g)]);
    for (const m of methods) {
      const name = m[1] ?? m[2]!;
      if (!(name in RingBus.prototype)) problems.push(`RingBus method ${name}`);
    }
    const ring = section('### The ring:');
    for (const m of ring.matchAll(/^\| `(\w+)\(/gm))
      if (!(m[1]! in RingBuffer.prototype)) problems.push(`RingBuffer method ${m[1]}`);
    assert.deepEqual(problems, []);
  });
});
