/** How the bus picks wait strategies from the placement (waitChoice.ts): the rules, case by case. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chooseWaits } from '../../src/topology/waitChoice.js';

const worker = (name: string, offLatencyPath = false, strategy?: 'busy-spin' | 'phased') => ({
  name,
  offLatencyPath,
  strategy: strategy ? { type: strategy } : undefined,
});

describe('wait strategies chosen from the placement', () => {
  it("should let the example's producer and engine spin on 2 cores and block the journal", () => {
    const c = chooseWaits({
      cores: 2,
      producerType: 'single',
      busStrategy: undefined,
      workers: [worker('engine'), worker('journal', true)],
    });
    assert.equal(c.producer.type, 'phased');
    assert.equal(c.workers.get('engine')!.type, 'phased');
    assert.equal(c.workers.get('journal')!.type, 'blocking');
    assert.match(c.reason, /^2 thread\(s\) may spin .* on 2 core\(s\): 'phased'/);
    assert.match(c.reason, /journal off the latency path: 'blocking'/);
  });

  it('should block every thread when more threads may spin than there are cores', () => {
    const c = chooseWaits({
      cores: 2,
      producerType: 'multi',
      busStrategy: undefined,
      workers: [worker('w1'), worker('w2')],
    });
    assert.equal(c.producer.type, 'blocking');
    assert.deepEqual(
      [...c.workers.values()].map((w) => w.type),
      ['blocking', 'blocking'],
    );
    assert.match(c.reason, /4 thread\(s\) may spin \(2 producers \+ 2 worker\(s\)\)/);
  });

  it('should keep named strategies, per worker first, but still block an unnamed journal-only worker', () => {
    const c = chooseWaits({
      cores: 2,
      producerType: 'single',
      busStrategy: { type: 'busy-spin' },
      workers: [worker('engine', false, 'phased'), worker('other'), worker('journal', true)],
    });
    assert.equal(c.producer.type, 'busy-spin');
    assert.equal(c.workers.get('engine')!.type, 'phased');
    assert.equal(c.workers.get('other')!.type, 'busy-spin');
    assert.equal(c.workers.get('journal')!.type, 'blocking');
    assert.match(c.reason, /as set per worker: engine 'phased'/);
  });
});
