import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import {
  defineEvent,
  KIND_CONTROL,
  KIND_EVENT,
  KIND_VOID,
  MAX_CAPACITY,
  MAX_SEQUENCE,
  RingBuffer,
  RingbusError,
  RingbusTypeError,
  SLOT_HEADER_BYTES,
  type Flyweight,
  type RingBufferOptions,
  type RingDescriptor,
} from '../../src/index.js';
import { codedAs } from '../helpers/assertions.js';

interface Order extends Flyweight {
  id: number;
  px: number;
  qty: number;
  side: number;
  sym: string;
}
const Order = defineEvent<Order>('Order', {
  id: 'i53',
  px: 'f64',
  qty: 'u32',
  side: 'u8',
  sym: { type: 'ascii', length: 8 },
});
const fixture = new URL('./fixtures/unitRingWorker.js', import.meta.url);

function coded(code: string, cls: ErrorConstructor, mention?: string) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof cls, `expected a ${cls.name}, got ${String(e)}`);
    assert.equal((e as { code?: string }).code, code, (e as Error).message);
    if (mention !== undefined)
      assert.ok(
        (e as Error).message.includes(mention),
        `message ${JSON.stringify((e as Error).message)} should mention ${mention}`,
      );
    return true;
  };
}

const order = (i: number) => ({ id: 1_000_000 + i, px: 100 + i / 4, qty: i * 10, side: i % 2, sym: `SYM${i}` });

describe('RingBuffer options', () => {
  it('should reject a capacity that is not a power of two in range, naming the value', () => {
    for (const capacity of [0, 1, 3, 6, 1000, MAX_CAPACITY * 2, 4.5, -8, Number.NaN]) {
      assert.throws(
        () => new RingBuffer({ capacity, slotSize: 24 } as unknown as RingBufferOptions),
        coded('RINGBUS_ERR_CAPACITY_NOT_POW2', RangeError, String(capacity)),
      );
    }
  });

  it('should reject a capacity of the wrong type or a missing one as INVALID_OPTION (TypeError), as docs/errors.md says', () => {
    assert.throws(
      () => new RingBuffer({ capacity: '1024', slotSize: 24 } as unknown as RingBufferOptions),
      codedAs(
        RingbusTypeError,
        'RINGBUS_ERR_INVALID_OPTION',
        /^capacity must be a number \(a power of two in \[2, \d+\]\), got "1024"$/,
      ),
    );
    assert.throws(
      () => new RingBuffer({ slotSize: 24 } as unknown as RingBufferOptions),
      codedAs(RingbusTypeError, 'RINGBUS_ERR_INVALID_OPTION', /^capacity is required: a power of two in \[2, \d+\]$/),
    );
  });

  it('should accept the smallest capacity', () => {
    assert.equal(new RingBuffer({ capacity: 2, slotSize: 24 }).capacity, 2);
  });

  it('should reject options that are not an object', () => {
    assert.throws(
      () => new RingBuffer(null as unknown as RingBufferOptions),
      coded('RINGBUS_ERR_INVALID_OPTION', TypeError, 'null'),
    );
  });

  it('should reject a slot size too small for the event with RINGBUS_ERR_SLOT_TOO_SMALL', () => {
    assert.equal(Order.slotSize, 48);
    assert.throws(
      () => new RingBuffer({ capacity: 4, event: Order, slotSize: 40 }),
      coded('RINGBUS_ERR_SLOT_TOO_SMALL', RangeError, '40'),
    );
  });

  it('should accept a larger slot size than the event needs and still round-trip its fields', () => {
    const r = new RingBuffer<Order>({ capacity: 4, event: Order, slotSize: 128 });
    assert.equal(r.slotSize, 128);
    for (let i = 0; i < 6; i++) r.publishEvent(order(i));
    assert.deepEqual(r.get(5).$toObject(), order(5));
    assert.equal(r.slotOffset(5) - r.slotOffset(4), 128);
  });

  it('should reject a slot size that is not a multiple of 8 or out of range', () => {
    for (const slotSize of [20, 8, 0, -24, 2 ** 21, 24.5]) {
      assert.throws(
        () => new RingBuffer({ capacity: 4, slotSize }),
        coded('RINGBUS_ERR_INVALID_OPTION', RangeError, String(slotSize)),
      );
    }
  });

  it('should reject a schema-less slot size larger than its raw data field can describe', () => {
    const limit = SLOT_HEADER_BYTES + 65536;
    assert.equal(new RingBuffer({ capacity: 2, slotSize: limit }).get(0).$bytes().length, 65536);
    assert.throws(
      () => new RingBuffer({ capacity: 2, slotSize: limit + 8 }),
      coded('RINGBUS_ERR_INVALID_OPTION', RangeError, String(limit + 8)),
    );
  });

  it('should require an event or a slot size, and an event made by defineEvent', () => {
    assert.throws(() => new RingBuffer({ capacity: 4 }), coded('RINGBUS_ERR_INVALID_OPTION', TypeError, 'slotSize'));
    assert.throws(
      () => new RingBuffer({ capacity: 4, event: { slotSize: 24 } as never }),
      coded('RINGBUS_ERR_INVALID_OPTION', TypeError, 'defineEvent'),
    );
  });

  it('should reject an unknown producer type, naming it', () => {
    for (const producerType of ['many', '', 1]) {
      assert.throws(
        () => new RingBuffer({ capacity: 4, slotSize: 24, producerType } as unknown as RingBufferOptions),
        coded('RINGBUS_ERR_INVALID_OPTION', TypeError, 'producerType'),
      );
    }
  });

  it('should reject an initial sequence that is negative, fractional, too large or not a number', () => {
    for (const initialSequence of [-1, 1.5, MAX_SEQUENCE + 1, Number.POSITIVE_INFINITY, '5']) {
      assert.throws(
        () => new RingBuffer({ capacity: 4, slotSize: 24, initialSequence } as unknown as RingBufferOptions),
        coded('RINGBUS_ERR_INVALID_OPTION', RangeError, 'initialSequence'),
      );
    }
    assert.equal(
      new RingBuffer({ capacity: 4, slotSize: 24, initialSequence: MAX_SEQUENCE }).initialSequence(),
      MAX_SEQUENCE,
    );
  });
});

describe('RingBuffer descriptor and attach', () => {
  it('should give a structured-cloneable descriptor that shares the buffer', () => {
    const r = new RingBuffer<Order>({
      capacity: 8,
      event: Order,
      producerType: 'multi',
      waitStrategy: { type: 'sleeping', sleepMicros: 5 },
    });
    const d = structuredClone(r.descriptor());
    const a = RingBuffer.attach<Order>(d);
    assert.equal(a.buffer, d.buffer);
    assert.equal(a.capacity, 8);
    assert.equal(a.producerType, 'multi');
    assert.equal(a.slotSize, r.slotSize);
    assert.equal(a.event.fingerprint, Order.fingerprint);
    assert.deepEqual(a.waitStrategy.options, r.waitStrategy.options);
    assert.equal(a.epochMs, r.epochMs);
    a.publishEvent(order(1)); // through the clone …
    assert.deepEqual(r.get(0).$toObject(), order(1)); // … visible in the original
  });

  it('should let an attached instance read what the creator published, by content, across 2^32', () => {
    const r = new RingBuffer<Order>({ capacity: 8, event: Order, initialSequence: 2 ** 32 - 3 });
    for (let i = 0; i < 6; i++) r.publishEvent(order(i));
    const a = RingBuffer.attach<Order>(r.descriptor());
    const first = a.initialSequence();
    assert.equal(first, 2 ** 32 - 3);
    const avail = a.newBarrier().waitFor(first);
    assert.equal(avail, 2 ** 32 + 2);
    for (let s = first; s <= avail; s++) assert.deepEqual(a.get(s).$toObject(), order(s - first));
  });

  it('should let a worker thread attach and read the events the main thread published', async () => {
    const r = new RingBuffer<Order>({
      capacity: 16,
      event: Order,
      producerType: 'multi',
      initialSequence: 2 ** 31 - 2,
    });
    for (let i = 0; i < 5; i++) r.publishEvent(order(i));
    const ctl = r.publishControl(77);
    const worker = new Worker(fixture, { workerData: { mode: 'read', descriptor: r.descriptor() } });
    try {
      const [msg] = (await once(worker, 'message')) as [
        {
          avail: number;
          events: Array<Record<string, unknown>>;
          capacity: number;
          producerType: string;
          fingerprint: string;
        },
      ];
      assert.equal(msg.capacity, 16);
      assert.equal(msg.producerType, 'multi');
      assert.equal(msg.fingerprint, Order.fingerprint);
      assert.equal(msg.avail, ctl);
      assert.equal(msg.events.length, 6);
      for (let i = 0; i < 5; i++)
        assert.deepEqual(msg.events[i], { sequence: 2 ** 31 - 2 + i, kind: KIND_EVENT, ...order(i) });
      assert.equal(msg.events[5]!.kind, KIND_CONTROL);
      assert.equal(msg.events[5]!.sequence, ctl);
    } finally {
      await worker.terminate();
    }
  });

  it('should refuse to attach to anything that is not a ring with RINGBUS_ERR_BAD_DESCRIPTOR', () => {
    const r = new RingBuffer({ capacity: 4, slotSize: 24 });
    const good = r.descriptor();
    const zeros = new SharedArrayBuffer(r.buffer.byteLength);
    const truncated = new SharedArrayBuffer(r.buffer.byteLength - 8);
    new Uint8Array(truncated).set(new Uint8Array(r.buffer, 0, truncated.byteLength));
    const cases: unknown[] = [
      undefined,
      {},
      { ...good, buffer: new ArrayBuffer(r.buffer.byteLength) },
      { ...good, buffer: new SharedArrayBuffer(64) },
      { ...good, buffer: zeros },
      { ...good, buffer: truncated },
    ];
    for (const d of cases)
      assert.throws(() => RingBuffer.attach(d as RingDescriptor), coded('RINGBUS_ERR_BAD_DESCRIPTOR', TypeError));
  });

  it('should describe a schema-less ring with a null event and rebuild its raw slot on attach', () => {
    const r = new RingBuffer({ capacity: 4, slotSize: 40 });
    assert.equal(r.descriptor().event, null);
    const raw = r.get(r.next());
    (raw.data as Uint8Array).set([1, 2, 3]);
    r.publish(0);
    const a = RingBuffer.attach(r.descriptor());
    assert.deepEqual([...(a.get(0).data as Uint8Array).subarray(0, 4)], [1, 2, 3, 0]);
    assert.equal((a.get(0).data as Uint8Array).length, 40 - SLOT_HEADER_BYTES);
  });

  it('should describe a user schema that happens to be named RawSlot by its definition', () => {
    const RawSlot = defineEvent('RawSlot', { x: 'u32' });
    const r = new RingBuffer({ capacity: 4, event: RawSlot });
    assert.deepEqual(r.descriptor().event, RawSlot.definition);
    r.publishEvent({ x: 7 });
    assert.equal(RingBuffer.attach(r.descriptor()).get(0).x, 7);
  });

  it('should let the attaching thread choose its own wait strategy', () => {
    const r = new RingBuffer({ capacity: 4, slotSize: 24, waitStrategy: 'blocking' });
    assert.equal(RingBuffer.attach(r.descriptor(), 'busy-spin').waitStrategy.options.type, 'busy-spin');
    assert.equal(RingBuffer.attach(r.descriptor()).waitStrategy.options.type, 'blocking');
  });
});

describe('RingBuffer publishing', () => {
  it('should publish through a translator, passing the flyweight, the sequence and the argument', () => {
    const r = new RingBuffer<Order>({ capacity: 4, event: Order });
    const seen: number[] = [];
    const translate = (e: Order, seq: number, i: number): void => {
      seen.push(seq);
      e.id = i;
      e.px = 1.25;
      e.qty = 3;
      e.side = 1;
      e.sym = 'ABC';
    };
    assert.equal(r.publishWith(translate, 10), 0);
    assert.equal(r.tryPublishWith(translate, 11), 1);
    assert.deepEqual(seen, [0, 1]);
    assert.equal(r.newBarrier().waitFor(0), 1);
    assert.deepEqual(r.get(1).$toObject(), { id: 11, px: 1.25, qty: 3, side: 1, sym: 'ABC' });
    assert.equal(r.get(1).$kind, KIND_EVENT);
  });

  for (const producerType of ['single', 'multi'] as const) {
    it(`should publish a void slot and rethrow when a translator throws, leaving no hole (${producerType})`, () => {
      const r = new RingBuffer<Order>({ capacity: 4, event: Order, producerType });
      const barrier = r.newBarrier();
      const boom = new Error('translator failed');
      assert.throws(
        () =>
          r.publishWith((e) => {
            e.id = 5;
            throw boom;
          }, null),
        (e: unknown) => e === boom,
      );
      assert.equal(r.getCursor(), 0);
      assert.equal(barrier.waitFor(0), 0, 'the failed slot is published');
      assert.equal(r.get(0).$kind, KIND_VOID);
      assert.throws(
        () =>
          r.tryPublishWith(() => {
            throw boom;
          }, null),
        (e: unknown) => e === boom,
      );
      assert.equal(r.get(1).$kind, KIND_VOID);
      const next = r.publishEvent(order(2));
      assert.equal(next, 2);
      assert.equal(barrier.waitFor(1), 2, 'the next publish becomes visible');
      assert.equal(r.get(2).$kind, KIND_EVENT);
      assert.deepEqual(r.get(2).$toObject(), order(2));
    });
  }

  it('should publish a batch as one claim with one timestamp and return its highest sequence', () => {
    const r = new RingBuffer<Order>({ capacity: 8, event: Order, producerType: 'multi' });
    r.publishEvent(order(0));
    const batch = [order(1), order(2), order(3)];
    assert.equal(r.publishEvents(batch), 3);
    assert.equal(r.newBarrier().waitFor(1), 3);
    for (let i = 1; i <= 3; i++) assert.deepEqual(r.get(i).$toObject(), order(i));
    const ts = r.get(1).$timestamp;
    assert.equal(r.get(2).$timestamp, ts);
    assert.equal(r.get(3).$timestamp, ts);
    assert.ok(ts >= r.get(0).$timestamp, 'timestamps do not go backwards');
    assert.ok(r.now() >= ts);
  });

  for (const producerType of ['single', 'multi'] as const) {
    it(`should publish the rest of a batch as void slots, not stale events, when writing one throws (${producerType})`, () => {
      const r = new RingBuffer<Order>({ capacity: 4, event: Order, producerType });
      const barrier = r.newBarrier();
      for (let i = 0; i < 4; i++) r.publishEvent(order(i)); // every slot now holds a live event of the last lap
      const boom = new Error('getter failed on the second read');
      let reads = 0;
      const flaky = { ...order(5) };
      Object.defineProperty(flaky, 'qty', {
        enumerable: true,
        get: () => {
          if (++reads > 1) throw boom; // the validator reads it once, the write a second time
          return 5;
        },
      });
      assert.throws(
        () => r.publishEvents([order(4), flaky, order(6)]),
        (e: unknown) => e === boom,
      );
      assert.equal(r.getCursor(), 6, 'the whole claim is published: no hole');
      assert.equal(barrier.waitFor(4), 6);
      assert.deepEqual(r.get(4).$toObject(), order(4));
      assert.equal(r.get(4).$kind, KIND_EVENT);
      assert.equal(r.get(5).$kind, KIND_VOID, 'the slot whose write threw is void');
      assert.equal(r.get(6).$kind, KIND_VOID, 'the slot never written is void, not the stale order(2)');
    });
  }

  it('should reject an empty, non-array or oversized batch before claiming anything', () => {
    const r = new RingBuffer<Order>({ capacity: 4, event: Order });
    assert.throws(() => r.publishEvents([]), coded('RINGBUS_ERR_BATCH_TOO_LARGE', RangeError));
    assert.throws(() => r.publishEvents(order(1) as never), coded('RINGBUS_ERR_BATCH_TOO_LARGE', RangeError));
    assert.throws(
      () => r.publishEvents([order(1), order(2), order(3), order(4), order(5)]),
      coded('RINGBUS_ERR_BATCH_TOO_LARGE', RangeError, '5'),
    );
    assert.equal(r.getCursor(), -1);
  });

  it('should validate every event of a batch before claiming, leaving the ring untouched on a bad one', () => {
    const r = new RingBuffer<Order>({ capacity: 8, event: Order });
    r.addGatingSequences(r.newSequence());
    assert.throws(
      () => r.publishEvents([order(1), { ...order(2), qty: -1 }]),
      coded('RINGBUS_ERR_FIELD_RANGE', RangeError, 'qty'),
    );
    assert.equal(r.getCursor(), -1);
    assert.equal(r.remainingCapacity(), 8);
    assert.equal(r.publishEvents([order(7)]), 0);
    assert.deepEqual(r.get(0).$toObject(), order(7));
  });

  it('should publish a control slot with its code in aux', () => {
    const r = new RingBuffer<Order>({ capacity: 4, event: Order });
    r.publishEvent(order(0));
    const s = r.publishControl(0xfeed);
    assert.equal(s, 1);
    assert.equal(r.newBarrier().waitFor(1), 1);
    assert.equal(r.get(1).$kind, KIND_CONTROL);
    assert.equal(r.get(1).$aux, 0xfeed);
    assert.equal(r.get(0).$kind, KIND_EVENT);
  });

  it('should throw coded errors that are RingbusErrors from the publishing helpers', () => {
    const r = new RingBuffer<Order>({ capacity: 2, event: Order, waitStrategy: { type: 'blocking', maxBlockMs: 1 } });
    r.addGatingSequences(r.newSequence());
    r.publishEvent(order(0));
    r.publishEvent(order(1));
    assert.throws(
      () => r.publishEventWithTimeout(order(2), 0),
      (e: unknown) => e instanceof RingbusError && e.code === 'RINGBUS_ERR_PUBLISH_TIMEOUT',
    );
  });

  it('should hand out one reader flyweight per instance and new ones from flyweight()', () => {
    const r = new RingBuffer<Order>({ capacity: 4, event: Order });
    r.publishEvent(order(0));
    r.publishEvent(order(1));
    assert.equal(r.get(0), r.get(1), 'get() re-points the same flyweight');
    const a = r.flyweight().$wrap(r.slotOffset(0));
    const b = r.flyweight().$wrap(r.slotOffset(1));
    assert.notEqual(a, b);
    assert.deepEqual([a.id, b.id], [order(0).id, order(1).id]);
    assert.equal(r.slotOffset(5), r.slotOffset(1), 'sequences a lap apart share a slot');
  });
});
