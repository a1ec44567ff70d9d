/** attach() checks the schema: a descriptor naming another event type is refused, even when its slots would fit. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defineEvent, RingBuffer } from '../../src/index.js';

describe('RingBuffer.attach schema check', () => {
  it('should refuse a descriptor whose event is not the one the ring was created with', () => {
    const A = defineEvent('A', { x: 'u32', y: 'u32' });
    const B = defineEvent('B', { x: 'u32' }); // smaller: would fit A's slots
    const ring = new RingBuffer({ capacity: 8, event: A });
    const d = ring.descriptor();
    assert.doesNotThrow(() => RingBuffer.attach(d));
    assert.throws(
      () => RingBuffer.attach({ ...d, event: B.definition }),
      (e: unknown) =>
        (e as { code?: string }).code === 'RINGBUS_ERR_BAD_DESCRIPTOR' &&
        /not the schema the ring was created with/.test((e as Error).message),
    );
  });
});
