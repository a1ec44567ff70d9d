/**
 * Heap: the exchange engine allocates nothing per command in steady state. A child process (with
 * --expose-gc) runs the seeded flow — every command type, trades, rejects, reports into the
 * digest — 1 million commands of warm-up, then five slices of 1 million, and reports the bytes
 * each slice allocated and the bytes retained over the window. Bounds (memory, not time): the
 * median slice < 256 KB (one byte per command would be ≥ 1 MB), retained < 2 MB (the books'
 * amortised growth as they reach their steady size).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('./fixtures/exchangeHeap.js', import.meta.url));

describe('exchange engine heap', () => {
  it('should allocate nothing per command over millions of commands', () => {
    const out = execFileSync(process.execPath, ['--expose-gc', fixture, '1000000'], {
      encoding: 'utf8',
      timeout: 600_000,
    });
    const r = JSON.parse(out.trim().split('\n').pop()!) as {
      sliceBytes: number[];
      retainedBytes: number;
      commands: number;
      trades: number;
    };
    assert.equal(r.commands, 6_000_000);
    assert.ok(r.trades > 100_000, `the flow traded (${r.trades} trades)`);
    const median = [...r.sliceBytes].sort((a, b) => a - b)[2]!;
    assert.ok(median < 256 * 1024, `median slice allocated ${median} B: ${r.sliceBytes.join('/')} B per 1M commands`);
    assert.ok(r.retainedBytes < 2 * 1024 * 1024, `retained ${r.retainedBytes} B`);
  });
});
