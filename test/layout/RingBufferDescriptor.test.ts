import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as D from '../../src/layout/RingBufferDescriptor.js';

/** [name, first byte, byte length] of every header field. */
function headerFields(): [string, number, number][] {
  return [
    ['magic', D.HDR_MAGIC * 4, 4],
    ['version', D.HDR_VERSION * 4, 4],
    ['capacity', D.HDR_CAPACITY * 4, 4],
    ['slotSize', D.HDR_SLOT_SIZE * 4, 4],
    ['producerType', D.HDR_PRODUCER_TYPE * 4, 4],
    ['maxSequences', D.HDR_MAX_SEQUENCES * 4, 4],
    ['initialCursor', D.HDR_F64_INITIAL_CURSOR * 8, 8],
    ['epochMs', D.HDR_F64_EPOCH_MS * 8, 8],
    ['fingerprint', D.HDR_FINGERPRINT * 4, 4],
  ];
}

describe('RingBufferDescriptor', () => {
  it('should lay header fields out without overlap, each aligned to its size, inside line 0', () => {
    const fields = headerFields().sort((a, b) => a[1] - b[1]);
    for (let i = 0; i < fields.length; i++) {
      const [name, at, len] = fields[i]!;
      assert.equal(at % len, 0, `${name} at byte ${at} is not ${len}-aligned`);
      if (i > 0) {
        const [prev, pAt, pLen] = fields[i - 1]!;
        assert.ok(at >= pAt + pLen, `${name} at byte ${at} overlaps ${prev} (${pAt}..${pAt + pLen - 1})`);
      }
    }
    const [, lastAt, lastLen] = fields[fields.length - 1]!;
    assert.equal(D.HEADER_BYTES, lastAt + lastLen);
    assert.ok(D.HEADER_BYTES <= D.LINE_BYTES, `header uses ${D.HEADER_BYTES} bytes of a ${D.LINE_BYTES}-byte line`);
    assert.ok(D.CURSOR * 4 >= D.LINE_BYTES, 'the first counter line starts after the header line');
  });

  it('should keep layout version 1 byte for byte (computed offsets equal the published format)', () => {
    assert.equal(D.LAYOUT_VERSION, 1);
    assert.deepEqual(
      headerFields().map(([name, at]) => [name, at]),
      [
        ['magic', 0],
        ['version', 4],
        ['capacity', 8],
        ['slotSize', 12],
        ['producerType', 16],
        ['maxSequences', 20],
        ['initialCursor', 24],
        ['epochMs', 32],
        ['fingerprint', 40],
      ],
    );
    assert.deepEqual(
      [D.SLOT_TIMESTAMP_OFFSET, D.SLOT_KIND_OFFSET, D.SLOT_AUX_OFFSET, D.SLOT_HEADER_BYTES],
      [0, 8, 12, 16],
    );
  });

  it('should put every counter and sequence line on its own 128-byte line', () => {
    const words = [
      D.CURSOR,
      D.CURSOR_REF,
      D.CONSUMER_WAITERS,
      D.PUBLISH_SIGNAL,
      D.PRODUCER_WAITERS,
      D.PROGRESS_SIGNAL,
      D.ALERT,
      D.GATING_MASK,
      D.SEQUENCE_ALLOC,
      ...Array.from({ length: D.MAX_SEQUENCES }, (_, i) => D.sequenceWord(i)),
    ];
    const lines = words.map((w) => (w * 4) / D.LINE_BYTES);
    for (const l of lines) assert.ok(Number.isInteger(l) && l >= 1, `word at line ${l}`);
    assert.equal(new Set(lines).size, lines.length, 'two counters share a line');
    assert.equal(D.CONTROL_BLOCK_BYTES, (Math.max(...lines) + 1) * D.LINE_BYTES);
  });
});
