/**
 * Reads the import graph of src/ (static, type-only, re-exports and dynamic `import('…')` with a
 * literal path) and checks it against the layer order of docs/architecture.md.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/**
 * Layers, lowest first. A file may import its own layer or a lower one. The longest matching
 * prefix wins (so `persistence/handlers/` sits above `processing/` while the rest of
 * `persistence/` sits below it). Layers sharing a rank may not import each other.
 */
export const LAYERS: readonly { readonly prefix: string; readonly rank: number }[] = [
  { prefix: 'errors.ts', rank: 0 },
  { prefix: 'layout/', rank: 1 },
  { prefix: 'schema/', rank: 2 },
  { prefix: 'core/', rank: 3 },
  { prefix: 'native/', rank: 4 },
  { prefix: 'metrics/', rank: 4 },
  { prefix: 'persistence/', rank: 5 },
  { prefix: 'runtime/', rank: 6 },
  { prefix: 'processing/', rank: 7 },
  { prefix: 'persistence/handlers/', rank: 8 },
  { prefix: 'topology/', rank: 9 },
  { prefix: 'replication/', rank: 10 },
  { prefix: 'cli/', rank: 11 },
  { prefix: 'index.ts', rank: 12 },
];

export function layerOf(file: string): { prefix: string; rank: number } {
  let best: { prefix: string; rank: number } | null = null;
  for (const l of LAYERS) if (file.startsWith(l.prefix) && (!best || l.prefix.length > best.prefix.length)) best = l;
  if (!best) throw new Error(`${file} is in no layer: add its folder to LAYERS (and to docs/architecture.md)`);
  return best;
}

const SPECIFIER =
  /(?:^|\n)\s*(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

/** file (relative to src, .ts) → the src files it imports (relative, .ts). Package imports are left out. */
export function readImportGraph(srcDir: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  (function walk(dir: string): void {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) {
        const file = relative(srcDir, path);
        const text = readFileSync(path, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
        const targets: string[] = [];
        for (const m of text.matchAll(SPECIFIER)) {
          const spec = m[1] ?? m[2] ?? m[3]!;
          if (!spec.startsWith('.')) continue;
          targets.push(normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts'));
        }
        graph.set(file, targets);
      }
    }
  })(srcDir);
  return graph;
}

/** Every import that points to a higher layer (or a sibling layer of the same rank). */
export function upwardImports(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const bad: string[] = [];
  for (const [file, targets] of graph) {
    const from = layerOf(file);
    for (const t of targets) {
      const to = layerOf(t);
      if (to.rank > from.rank || (to.rank === from.rank && to.prefix !== from.prefix))
        bad.push(`${file} (${from.prefix}) imports ${t} (${to.prefix})`);
    }
  }
  return bad;
}

/** Every import cycle, each as the files around it (first file repeated at the end). */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const t of graph.get(file) ?? []) {
      if (state.get(t) === 'open') cycles.push([...stack.slice(stack.indexOf(t)), t]);
      else if (!state.has(t)) visit(t);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return cycles;
}
