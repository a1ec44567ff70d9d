import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RingBuffer, RingbusError, MAX_SEQUENCES } from '../../src/index.js';
import { allocateSequenceLine, releaseSequenceLine, Sequence } from '../../src/core/Sequence.js';
import {
  CONTROL_BLOCK_BYTES,
  GATING_MASK,
  SEQUENCE_ALLOC,
  sequenceWord,
} from '../../src/layout/RingBufferDescriptor.js';

function controlBlock(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(CONTROL_BLOCK_BYTES));
}

describe('Sequence', () => {
  it('should store its initial value in its own shared line and return it from get()', () => {
    const ctl = controlBlock();
    const s = new Sequence(ctl, 3, 41);
    assert.equal(s.line, 3);
    assert.equal(s.word, sequenceWord(3));
    assert.equal(s.get(), 41);
    assert.equal(Atomics.load(ctl, sequenceWord(3)), 41);
  });

  it('should publish set() values to the shared word as their low 32 bits', () => {
    const ctl = controlBlock();
    const s = new Sequence(ctl, 0, -1);
    s.set(2 ** 32 + 9);
    assert.equal(s.get(), 2 ** 32 + 9);
    assert.equal(Atomics.load(ctl, s.word), 9);
    s.set(2 ** 31);
    assert.equal(Atomics.load(ctl, s.word), -(2 ** 31));
  });

  it('should read the full value back near a reference from any instance, across the 32-bit wraps', () => {
    const ctl = controlBlock();
    const owner = new Sequence(ctl, 5, 0);
    for (const v of [2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 9 * 2 ** 32 + 77]) {
      owner.set(v);
      assert.equal(owner.read(v - 100), v);
      assert.equal(owner.read(v + 100), v);
    }
  });

  it('should leave the shared word untouched in attach mode and rebuild its value near the reference', () => {
    const ctl = controlBlock();
    const owner = new Sequence(ctl, 7, 2 ** 32 + 3);
    const attached = new Sequence(ctl, 7, 2 ** 32 - 50, true);
    assert.equal(attached.get(), 2 ** 32 + 3);
    assert.equal(Atomics.load(ctl, owner.word), 3, 'attaching must not reset the line');
    owner.set(2 ** 32 + 10);
    assert.equal(attached.get(), 2 ** 32 + 3, 'get() is the local value until refreshed');
    assert.equal(attached.refresh(2 ** 32), 2 ** 32 + 10);
    assert.equal(attached.get(), 2 ** 32 + 10);
  });

  it('should allocate the lowest free line each time and fail with RINGBUS_ERR_TOO_MANY_SEQUENCES when all are taken', () => {
    const ctl = controlBlock();
    const lines: number[] = [];
    for (let i = 0; i < MAX_SEQUENCES; i++) lines.push(allocateSequenceLine(ctl));
    assert.deepEqual(
      lines,
      Array.from({ length: MAX_SEQUENCES }, (_, i) => i),
    );
    assert.throws(
      () => allocateSequenceLine(ctl),
      (err: unknown) =>
        err instanceof RingbusError &&
        err.code === 'RINGBUS_ERR_TOO_MANY_SEQUENCES' &&
        err.message.includes(String(MAX_SEQUENCES)),
    );
  });

  it('should reuse a released line, including the top line 31, and stop it gating', () => {
    const ctl = controlBlock();
    for (let i = 0; i < MAX_SEQUENCES; i++) allocateSequenceLine(ctl);
    Atomics.store(ctl, GATING_MASK, -1);
    releaseSequenceLine(ctl, 31);
    assert.equal(Atomics.load(ctl, GATING_MASK) & (1 << 31), 0);
    assert.equal(Atomics.load(ctl, SEQUENCE_ALLOC), 0x7fffffff);
    assert.equal(allocateSequenceLine(ctl), 31);
    releaseSequenceLine(ctl, 4);
    assert.equal(Atomics.load(ctl, GATING_MASK) & (1 << 4), 0);
    assert.equal(allocateSequenceLine(ctl), 4);
  });

  it('should hand out ring sequences until the ring runs out and accept new ones after releaseSequence', () => {
    const ring = new RingBuffer({ capacity: 8, slotSize: 24 });
    const seqs: Sequence[] = [];
    for (let i = 0; i < MAX_SEQUENCES; i++) seqs.push(ring.newSequence());
    assert.equal(new Set(seqs.map((s) => s.line)).size, MAX_SEQUENCES);
    assert.throws(() => ring.newSequence(), { code: 'RINGBUS_ERR_TOO_MANY_SEQUENCES' });
    ring.releaseSequence(seqs[12]!);
    const again = ring.newSequence();
    assert.equal(again.line, 12);
    assert.equal(again.get(), ring.getCursor(), 'a new sequence starts at the cursor');
  });

  it('should let another instance of the ring take over a line through attachSequence', () => {
    const ring = new RingBuffer({ capacity: 8, slotSize: 24, initialSequence: 2 ** 32 - 2 });
    const s = ring.newSequence();
    ring.addGatingSequences(s);
    for (let i = 0; i < 5; i++) ring.publish(ring.next());
    s.set(ring.getCursor());
    const other = RingBuffer.attach(ring.descriptor());
    const taken = other.attachSequence(s.line);
    assert.equal(taken.get(), 2 ** 32 + 2);
    assert.throws(() => other.attachSequence(MAX_SEQUENCES), { code: 'RINGBUS_ERR_INVALID_OPTION' });
    assert.throws(() => other.attachSequence(-1), { code: 'RINGBUS_ERR_INVALID_OPTION' });
  });
});
