import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { importCycles, readImportGraph, upwardImports } from './importGraph.js';

// dist/test/architecture → the repository's src/
const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));

describe('import direction', () => {
  it('should find no import of a higher layer anywhere in src', () => {
    const graph = readImportGraph(SRC);
    assert.ok(graph.size > 50, `expected the whole source tree under ${SRC}, read ${graph.size} files`);
    assert.deepEqual(upwardImports(graph), []);
  });

  it('should find no import cycle in src (type-only imports included)', () => {
    assert.deepEqual(importCycles(readImportGraph(SRC)), []);
  });

  it('should resolve every relative import to a file that exists', () => {
    const missing = [...readImportGraph(SRC)].flatMap(([f, ts]) =>
      ts.filter((t) => !existsSync(SRC + t)).map((t) => `${f} -> ${t}`),
    );
    assert.deepEqual(missing, []);
  });

  it('should report an upward import and a cycle when the graph has them', () => {
    const graph = new Map([
      ['core/RingBuffer.ts', ['topology/RingBus.ts', 'core/Sequencer.ts']],
      ['core/Sequencer.ts', ['core/SequenceBarrier.ts']],
      ['core/SequenceBarrier.ts', ['core/Sequencer.ts']],
      ['topology/RingBus.ts', []],
      ['persistence/handlers/journal.ts', ['processing/Handler.ts']],
      ['processing/Handler.ts', ['persistence/JournalWriter.ts']],
      ['persistence/JournalWriter.ts', []],
      ['metrics/BusMetrics.ts', ['native/index.ts']],
      ['native/index.ts', []],
    ]);
    assert.deepEqual(upwardImports(graph), [
      'core/RingBuffer.ts (core/) imports topology/RingBus.ts (topology/)',
      'metrics/BusMetrics.ts (metrics/) imports native/index.ts (native/)',
    ]);
    assert.deepEqual(importCycles(graph), [['core/Sequencer.ts', 'core/SequenceBarrier.ts', 'core/Sequencer.ts']]);
  });
});
