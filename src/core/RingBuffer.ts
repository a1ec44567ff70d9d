import { RingbusRangeError, RingbusTypeError, show } from '../errors.js';
import {
  ALERT,
  computeLayout,
  CONTROL_BLOCK_BYTES,
  CURSOR,
  CURSOR_REF,
  HDR_CAPACITY,
  HDR_FINGERPRINT,
  HDR_F64_EPOCH_MS,
  HDR_F64_INITIAL_CURSOR,
  HDR_MAGIC,
  HDR_MAX_SEQUENCES,
  HDR_PRODUCER_TYPE,
  HDR_SLOT_SIZE,
  HDR_VERSION,
  KIND_CONTROL,
  KIND_EVENT,
  KIND_VOID,
  LAYOUT_VERSION,
  MAGIC,
  MAX_CAPACITY,
  MAX_SEQUENCES,
  MIN_CAPACITY,
  PRODUCER_MULTI,
  PRODUCER_SINGLE,
  PRODUCER_WAITERS,
  PROGRESS_SIGNAL,
  PUBLISH_SIGNAL,
  CONSUMER_WAITERS,
  SLOT_HEADER_BYTES,
  SLOT_TIMESTAMP_OFFSET,
  type RingLayout,
} from '../layout/RingBufferDescriptor.js';
import { defineEvent, type EventDefinition, type EventType, type Flyweight } from '../schema/defineEvent.js';
import { MAX_SIZED_LENGTH } from '../schema/fieldTypes.js';
import { createWaitStrategy } from './createWaitStrategy.js';
import { nowNs, stampInto } from './clock.js';
import { MultiProducerSequencer } from './MultiProducerSequencer.js';
import { allocateSequenceLine, releaseSequenceLine, Sequence } from './Sequence.js';
import type { SequenceBarrier } from './SequenceBarrier.js';
import type { Sequencer } from './Sequencer.js';
import { INSUFFICIENT_CAPACITY, MAX_SEQUENCE, REF_UNIT } from './sequenceMath.js';
import { SingleProducerSequencer } from './SingleProducerSequencer.js';
import type { WaitChannel, WaitStrategy, WaitStrategyOptions } from './WaitStrategy.js';

export type ProducerType = 'single' | 'multi';

interface AttachState {
  buffer: SharedArrayBuffer;
  ctl: Int32Array;
  layout: RingLayout;
  event: EventType;
  strategy: WaitStrategy;
}

export interface RingBufferOptions<F extends Flyweight = Flyweight> {
  /** Number of slots: a power of two in [2, 2^28]. */
  capacity: number;
  /** Event schema; the slot size follows from it. */
  event?: EventType<F>;
  /** Bytes per slot (multiple of 8, ≥ the schema's slotSize). Required without `event`. */
  slotSize?: number;
  /** 'single' (default): one publishing thread; 'multi': any number. */
  producerType?: ProducerType;
  /** How waiting threads wait (default: phased back-off). */
  waitStrategy?: WaitStrategyOptions | WaitStrategyOptions['type'];
  /** Sequence of the first event (default 0). Lets tests start next to the 32-bit wraps. */
  initialSequence?: number;
  /** Wall-clock ms that slot timestamps count from (default Date.now()); recovery passes the journal's. */
  epochMs?: number;
}

/** Everything another thread needs to attach to the same ring (structured-cloneable). */
export interface RingDescriptor {
  readonly buffer: SharedArrayBuffer;
  readonly waitStrategy: WaitStrategyOptions;
  readonly event: EventDefinition | null;
}

/** Translator for zero-allocation publishing: fills the flyweight for `sequence` from `arg`. */
export type EventTranslator<F, A> = (event: F, sequence: number, arg: A) => void;

/**
 * A ring of `capacity` fixed-size slots in one SharedArrayBuffer, with its sequencer. Create it
 * on one thread, hand `descriptor()` to others (postMessage / workerData), `RingBuffer.attach` it
 * there.
 *
 * Thread-safety: every RingBuffer instance belongs to one thread (its flyweights and sequencer
 * caches are thread-local); the shared state lives in the buffer. With producerType 'single',
 * only one thread may publish.
 */
export class RingBuffer<F extends Flyweight = Flyweight> {
  readonly buffer: SharedArrayBuffer;
  readonly capacity: number;
  readonly mask: number;
  readonly slotSize: number;
  readonly producerType: ProducerType;
  readonly event: EventType<F>;
  readonly sequencer: Sequencer;
  readonly waitStrategy: WaitStrategy;
  readonly layout: RingLayout;
  /** Wall-clock ms (since 1970) that slot timestamps count from. */
  readonly epochMs: number;
  readonly #ctl: Int32Array;
  readonly #slotsOffset: number;
  readonly #writer: F;
  readonly #reader: F;
  readonly #clockOffsetNs: number;
  /** [0]: the last stamp, [1]: #clockOffsetNs (see stampInto: no double crosses a call). */
  readonly #stamp = new Float64Array(2);
  /** The whole buffer as f64 words, for writing slot timestamps without a setter call. */
  readonly #words: Float64Array;

  /** Creates a new ring (allocates its SharedArrayBuffer). */
  constructor(options: RingBufferOptions<F>, attached?: AttachState) {
    let buffer: SharedArrayBuffer,
      ctl: Int32Array,
      layout: RingLayout,
      event: EventType<F>,
      strategy: WaitStrategy,
      producerType: ProducerType;
    if (attached) {
      ({ buffer, ctl, layout, strategy } = attached);
      event = attached.event as unknown as EventType<F>;
      producerType = layout.multiProducer ? 'multi' : 'single';
    } else {
      ({ buffer, ctl, layout, event, strategy, producerType } = RingBuffer.#create(options));
    }
    const f64 = new Float64Array(buffer, 0, CONTROL_BLOCK_BYTES / 8);
    const { capacity, slotSize } = layout;
    this.buffer = buffer;
    this.capacity = capacity;
    this.mask = capacity - 1;
    this.slotSize = slotSize;
    this.producerType = producerType;
    this.event = event;
    this.waitStrategy = strategy;
    this.layout = layout;
    this.epochMs = f64[HDR_F64_EPOCH_MS]!;
    this.#ctl = ctl;
    this.#slotsOffset = layout.slotsOffset;
    this.sequencer = layout.multiProducer
      ? new MultiProducerSequencer(ctl, new Int32Array(buffer, layout.availabilityOffset, capacity), capacity, strategy)
      : new SingleProducerSequencer(ctl, capacity, strategy);
    this.#writer = new event.Flyweight(buffer);
    this.#reader = new event.Flyweight(buffer);
    this.#clockOffsetNs = (performance.timeOrigin - this.epochMs) * 1e6;
    this.#stamp[1] = this.#clockOffsetNs;
    this.#words = new Float64Array(buffer, 0, buffer.byteLength >> 3);
  }

  static #create<F extends Flyweight>(
    options: RingBufferOptions<F>,
  ): AttachState & { event: EventType<F>; producerType: ProducerType } {
    const { capacity, producerType, initialSequence, slotSize } = validateRingOptions(options);
    const strategy = createWaitStrategy(options.waitStrategy);
    const layout = computeLayout(capacity, slotSize, producerType === 'multi');
    const buffer = new SharedArrayBuffer(layout.totalBytes);
    const ctl = new Int32Array(buffer, 0, CONTROL_BLOCK_BYTES / 4);
    const f64 = new Float64Array(buffer, 0, CONTROL_BLOCK_BYTES / 8);
    const initialCursor = initialSequence - 1;
    ctl[HDR_MAGIC] = MAGIC;
    ctl[HDR_VERSION] = LAYOUT_VERSION;
    ctl[HDR_CAPACITY] = capacity;
    ctl[HDR_SLOT_SIZE] = slotSize;
    ctl[HDR_PRODUCER_TYPE] = producerType === 'multi' ? PRODUCER_MULTI : PRODUCER_SINGLE;
    ctl[HDR_MAX_SEQUENCES] = MAX_SEQUENCES;
    f64[HDR_F64_INITIAL_CURSOR] = initialCursor;
    const epochMs = options.epochMs ?? Date.now();
    if (typeof epochMs !== 'number' || !Number.isFinite(epochMs) || epochMs < 0) {
      throw new RingbusRangeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `epochMs must be a finite non-negative number of ms since 1970, got ${show(epochMs)}`,
      );
    }
    f64[HDR_F64_EPOCH_MS] = epochMs;
    ctl[CURSOR] = initialCursor | 0;
    ctl[CURSOR_REF] = Math.floor(initialCursor / REF_UNIT);
    if (layout.multiProducer) {
      MultiProducerSequencer.initialiseAvailability(
        new Int32Array(buffer, layout.availabilityOffset, capacity),
        initialCursor,
      );
    }
    const event = options.event ?? (rawEvent(slotSize) as unknown as EventType<F>);
    ctl[HDR_FINGERPRINT] = event.fingerprintValue | 0;
    return { buffer, ctl, layout, event, strategy, producerType };
  }

  /** Attaches to a ring created on another thread (or in this one). */
  static attach<F extends Flyweight = Flyweight>(
    descriptor: RingDescriptor,
    waitStrategy?: WaitStrategyOptions | WaitStrategyOptions['type'],
  ): RingBuffer<F> {
    const buffer = descriptor?.buffer;
    if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength < CONTROL_BLOCK_BYTES) {
      throw new RingbusTypeError(
        'RINGBUS_ERR_BAD_DESCRIPTOR',
        `descriptor.buffer must be a ring's SharedArrayBuffer, got ${show(buffer)}`,
      );
    }
    const ctl = new Int32Array(buffer, 0, CONTROL_BLOCK_BYTES / 4);
    if (ctl[HDR_MAGIC] !== MAGIC || ctl[HDR_VERSION] !== LAYOUT_VERSION) {
      throw new RingbusTypeError(
        'RINGBUS_ERR_BAD_DESCRIPTOR',
        `buffer is not a ringbus ring of layout version ${LAYOUT_VERSION} (magic ${show(ctl[HDR_MAGIC])}, version ${show(ctl[HDR_VERSION])})`,
      );
    }
    const capacity = ctl[HDR_CAPACITY]!;
    const slotSize = ctl[HDR_SLOT_SIZE]!;
    const multi = ctl[HDR_PRODUCER_TYPE] === PRODUCER_MULTI;
    const layout = computeLayout(capacity, slotSize, multi);
    if (layout.totalBytes !== buffer.byteLength) {
      throw new RingbusTypeError(
        'RINGBUS_ERR_BAD_DESCRIPTOR',
        `buffer is ${buffer.byteLength} bytes but its header describes ${layout.totalBytes}`,
      );
    }
    const event = descriptor.event ? defineEvent(descriptor.event.name, descriptor.event.fields) : rawEvent(slotSize);
    if (event.slotSize > slotSize)
      throw new RingbusRangeError(
        'RINGBUS_ERR_SLOT_TOO_SMALL',
        `event ${event.name} needs ${event.slotSize}-byte slots, the ring has ${slotSize}`,
      );
    if ((event.fingerprintValue | 0) !== ctl[HDR_FINGERPRINT]) {
      throw new RingbusTypeError(
        'RINGBUS_ERR_BAD_DESCRIPTOR',
        `descriptor.event ${event.name} (fingerprint ${event.fingerprint}) is not the schema the ring was created with (fingerprint ${(ctl[HDR_FINGERPRINT]! >>> 0).toString(16).padStart(8, '0')})`,
      );
    }
    const strategy = createWaitStrategy(waitStrategy ?? descriptor.waitStrategy);
    return new RingBuffer<F>({ capacity }, { buffer, ctl, layout, event, strategy });
  }

  /** What another thread needs to attach (the buffer is shared, not copied). */
  descriptor(): RingDescriptor {
    // identity, not name: a user schema may also be called 'RawSlot'
    const definition = this.event === rawEvents.get(this.slotSize) ? null : this.event.definition;
    return {
      buffer: this.buffer,
      waitStrategy: { ...this.waitStrategy.options } as WaitStrategyOptions,
      event: definition,
    };
  }

  /**
   * Nanoseconds since the ring epoch, comparable across threads. Allocation-free when the native
   * addon's clock is installed (see core/clock.ts); otherwise performance.now() boxes one number.
   */
  now(): number {
    return nowNs() + this.#clockOffsetNs;
  }

  /** Byte offset of the slot of `sequence` within `buffer`. */
  slotOffset(sequence: number): number {
    return this.#slotsOffset + (sequence & this.mask) * this.slotSize;
  }

  /** A new flyweight over this ring (allocates: create one per thread and keep it). */
  flyweight(): F {
    return new this.event.Flyweight(this.buffer);
  }

  /** This instance's reader flyweight pointed at `sequence`. Allocation-free; one per thread. */
  get(sequence: number): F {
    return this.#reader.$wrap(this.#slotsOffset + (sequence & this.mask) * this.slotSize);
  }

  // --- claiming and publishing (thin delegates; see Sequencer) -------------------------------

  /** Claims n slots, waiting while full. Returns hi. */
  next(n = 1): number {
    return this.sequencer.next(n);
  }
  /** Claims n slots or returns -1 (INSUFFICIENT_CAPACITY) at once. */
  tryNext(n = 1): number {
    return this.sequencer.tryNext(n);
  }
  /** Claims n slots, throwing RINGBUS_ERR_PUBLISH_TIMEOUT after timeoutMs. */
  nextWithTimeout(n: number, timeoutMs: number): number {
    return this.sequencer.nextWithTimeout(n, timeoutMs);
  }
  /** Publishes lo…hi (the publish point). */
  publish(lo: number, hi: number = lo): void {
    this.sequencer.publish(lo, hi);
  }

  /**
   * Validates `values`, claims one slot (waiting while full), writes, stamps and publishes it.
   * Validation happens before the claim: a bad value throws a coded error and leaves the ring
   * untouched. Allocation-free when `values` is valid (the object itself is the caller's).
   */
  publishEvent(values: Record<string, unknown>): number {
    this.event.validate(values);
    const seq = this.sequencer.next(1);
    return this.#fillOne(seq, writeValues, values, 0);
  }

  /** As publishEvent, but returns -1 at once instead of waiting when the ring is full. */
  tryPublishEvent(values: Record<string, unknown>): number {
    this.event.validate(values);
    const seq = this.sequencer.tryNext(1);
    return seq === INSUFFICIENT_CAPACITY ? seq : this.#fillOne(seq, writeValues, values, 0);
  }

  /** As publishEvent, but throws RINGBUS_ERR_PUBLISH_TIMEOUT if no slot frees up within timeoutMs. */
  publishEventWithTimeout(values: Record<string, unknown>, timeoutMs: number): number {
    this.event.validate(values);
    const seq = this.sequencer.nextWithTimeout(1, timeoutMs);
    return this.#fillOne(seq, writeValues, values, 0);
  }

  /** Validates all, claims them as one batch, writes and publishes them with one publish. Returns hi. */
  publishEvents(batch: readonly Record<string, unknown>[]): number {
    if (!Array.isArray(batch) || batch.length === 0)
      throw new RingbusRangeError(
        'RINGBUS_ERR_BATCH_TOO_LARGE',
        `publishEvents needs a non-empty array, got ${show(batch)}`,
      );
    for (let i = 0; i < batch.length; i++) this.event.validate(batch[i]!);
    const hi = this.sequencer.next(batch.length);
    const lo = hi - batch.length + 1;
    return this.fillAndPublish(lo, hi, writeBatchEntry, batch, 0); // one timestamp for the batch
  }

  /**
   * Zero-allocation publish: claims one slot, lets `translator` fill the flyweight, stamps and
   * publishes it. If the translator throws, the slot is still published (no hole) but marked
   * void, so processors skip it; the error is rethrown. Setters do not validate: use
   * publishEvent when values come from outside.
   */
  publishWith<A>(translator: EventTranslator<F, A>, arg: A): number {
    const seq = this.sequencer.next(1);
    return this.#fillOne(seq, translate<F, A>, translator, arg);
  }

  /** As publishWith, but returns -1 at once (translator not called) when the ring is full. */
  tryPublishWith<A>(translator: EventTranslator<F, A>, arg: A): number {
    const seq = this.sequencer.tryNext(1);
    if (seq === INSUFFICIENT_CAPACITY) return seq;
    return this.#fillOne(seq, translate<F, A>, translator, arg);
  }

  /** Publishes a control slot (kind KIND_CONTROL, aux = code): e.g. a snapshot marker. Returns its sequence. */
  publishControl(code: number): number {
    const seq = this.sequencer.next(1);
    return this.#fillOne(seq, writeControl, code, 0);
  }

  /**
   * The one publish protocol, used by every publish path (publishEvent*, publishEvents,
   * publishWith, control events, journal replay): marks every claimed slot lo…hi KIND_VOID, lets
   * `fill(slot, sequence, index, a, b)` write each one (index: 0 … hi - lo) and return its kind,
   * stamps it (one timestamp for the range, unless the kind carries KEEP_TIMESTAMP because the
   * filler set it, as replay does), sets the kind last, and publishes lo…hi in `finally`. If a fill
   * throws, the claimed range is still published (no hole for consumers to wait on for ever) and
   * the slots not yet filled stay void, so processors skip them instead of reading stale bytes;
   * the error is rethrown. Returns hi.
   * Allocation-free: pass a module-level `fill` and its arguments in `a` / `b` (no closures); the
   * filler returns a small integer and the timestamp is written here through typed arrays (stampInto),
   * so no double crosses a call boxed, whatever V8 inlines.
   */
  fillAndPublish<A, B>(lo: number, hi: number, fill: SlotFiller<F, A, B>, a: A, b: B): number {
    if (lo === hi) return this.#fillOne(lo, fill, a, b);
    const w = this.#writer;
    const words = this.#words;
    const stamp = this.#stamp;
    for (let s = lo; s <= hi; s++) w.$wrap(this.slotOffset(s)).$kind = KIND_VOID;
    stampInto(stamp);
    try {
      for (let s = lo; s <= hi; s++) {
        const offset = this.slotOffset(s);
        const kind = fill(w.$wrap(offset), s, s - lo, a, b);
        if ((kind & KEEP_TIMESTAMP) === 0) words[(offset + SLOT_TIMESTAMP_OFFSET) >> 3] = stamp[0]!;
        w.$kind = kind & ~KEEP_TIMESTAMP;
      }
    } finally {
      this.sequencer.publish(lo, hi);
    }
    return hi;
  }

  /** fillAndPublish for one slot (stamped after its fill), small enough for V8 to inline into each publish method. */
  #fillOne<A, B>(seq: number, fill: SlotFiller<F, A, B>, a: A, b: B): number {
    const offset = this.slotOffset(seq);
    const w = this.#writer.$wrap(offset);
    w.$kind = KIND_VOID;
    try {
      const kind = fill(w, seq, 0, a, b);
      if ((kind & KEEP_TIMESTAMP) === 0) {
        stampInto(this.#stamp);
        this.#words[(offset + SLOT_TIMESTAMP_OFFSET) >> 3] = this.#stamp[0]!;
      }
      w.$kind = kind & ~KEEP_TIMESTAMP;
    } finally {
      this.sequencer.publish(seq, seq);
    }
    return seq;
  }

  // --- sequences and barriers ------------------------------------------------------------------

  /** Allocates a consumer sequence line, set to the cursor. Does not gate until added. */
  newSequence(initial: number = this.getCursor()): Sequence {
    return new Sequence(this.#ctl, allocateSequenceLine(this.#ctl), initial);
  }

  /** Wraps a line allocated by another thread, reading its current value. */
  attachSequence(line: number): Sequence {
    if (!Number.isInteger(line) || line < 0 || line >= MAX_SEQUENCES)
      throw new RingbusRangeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `sequence line must be an integer in [0, ${MAX_SEQUENCES - 1}], got ${show(line)}`,
      );
    return new Sequence(this.#ctl, line, this.sequencer.reference(), true);
  }

  /** Frees a sequence line (it stops gating). */
  releaseSequence(sequence: Sequence): void {
    releaseSequenceLine(this.#ctl, sequence.line);
    this.sequencer.signalProgress();
  }

  addGatingSequences(...sequences: Sequence[]): void {
    this.sequencer.addGatingSequences(...sequences);
  }
  removeGatingSequence(sequence: Sequence): boolean {
    return this.sequencer.removeGatingSequence(sequence);
  }
  /** The channel consumers of this ring block on (waiter count + publish signal). */
  consumerWaitChannel(): WaitChannel {
    return this.sequencer.consumerChannel;
  }
  newBarrier(...dependents: Sequence[]): SequenceBarrier {
    return this.sequencer.newBarrier(dependents);
  }
  getCursor(): number {
    return this.sequencer.getCursor();
  }
  remainingCapacity(): number {
    return this.sequencer.remainingCapacity();
  }
  /** Sequence of the first event this ring was created with. */
  initialSequence(): number {
    return new Float64Array(this.buffer, 0, CONTROL_BLOCK_BYTES / 8)[HDR_F64_INITIAL_CURSOR]! + 1;
  }

  /** After advancing a consumer sequence: wakes blocked producers and downstream consumers, if any wait. */
  signalProgress(): void {
    this.sequencer.signalProgress();
    this.sequencer.signalPublished();
  }

  /**
   * Halts the ring: every wait returns ALERTED (consumers) or throws RINGBUS_ERR_ALERTED
   * (producers), and every blocked thread is woken. `reason` must be non-zero.
   */
  halt(reason = 1): void {
    Atomics.store(this.#ctl, ALERT, reason | 0 || 1);
    this.wakeAll();
  }
  /** Wakes every blocked consumer and producer (they re-check their conditions). */
  wakeAll(): void {
    for (const signal of [PUBLISH_SIGNAL, PROGRESS_SIGNAL]) {
      Atomics.add(this.#ctl, signal, 1);
      Atomics.notify(this.#ctl, signal);
    }
  }

  /** The halt reason, 0 when running. */
  alertReason(): number {
    return Atomics.load(this.#ctl, ALERT);
  }
  isAlerted(): boolean {
    return Atomics.load(this.#ctl, ALERT) !== 0;
  }
  clearAlert(): void {
    Atomics.store(this.#ctl, ALERT, 0);
  }
  /** Threads currently registered as blocked (consumers, producers): for tests and metrics. */
  blockedWaiters(): { consumers: number; producers: number } {
    return {
      consumers: Atomics.load(this.#ctl, CONSUMER_WAITERS),
      producers: Atomics.load(this.#ctl, PRODUCER_WAITERS),
    };
  }
}

/**
 * Writes one claimed slot for RingBuffer.fillAndPublish (index: its place in lo … hi) and returns
 * the slot's kind, OR-ed with KEEP_TIMESTAMP when it set the timestamp itself. Must not set the kind.
 */
export type SlotFiller<F extends Flyweight, A, B> = (slot: F, sequence: number, index: number, a: A, b: B) => number;

/** Bit a SlotFiller ORs into the kind it returns when it wrote the slot's timestamp itself (replay). */
export const KEEP_TIMESTAMP = 1 << 16;

function writeValues(w: Flyweight, _s: number, _i: number, values: Record<string, unknown>): number {
  w.$write(values);
  return KIND_EVENT;
}

function writeBatchEntry(w: Flyweight, _s: number, i: number, batch: readonly Record<string, unknown>[]): number {
  w.$write(batch[i]!);
  return KIND_EVENT;
}

function translate<F extends Flyweight, A>(
  w: F,
  seq: number,
  _i: number,
  translator: EventTranslator<F, A>,
  arg: A,
): number {
  translator(w, seq, arg);
  return KIND_EVENT;
}

function writeControl(w: Flyweight, _s: number, _i: number, code: number): number {
  w.$aux = code;
  return KIND_CONTROL;
}

/**
 * Checks ring options without allocating the ring (capacity a power of two, producer type,
 * initial sequence, slot size vs schema); throws the coded error naming the option and value.
 */
export function validateRingOptions(options: RingBufferOptions<Flyweight>): {
  capacity: number;
  producerType: ProducerType;
  initialSequence: number;
  slotSize: number;
} {
  if (typeof options !== 'object' || options === null)
    throw new RingbusTypeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `RingBuffer options must be an object, got ${show(options)}`,
    );
  const { capacity } = options;
  if (typeof capacity !== 'number')
    throw new RingbusTypeError(
      'RINGBUS_ERR_INVALID_OPTION',
      capacity === undefined
        ? `capacity is required: a power of two in [${MIN_CAPACITY}, ${MAX_CAPACITY}]`
        : `capacity must be a number (a power of two in [${MIN_CAPACITY}, ${MAX_CAPACITY}]), got ${show(capacity)}`,
    );
  if (
    !Number.isInteger(capacity) ||
    capacity < MIN_CAPACITY ||
    capacity > MAX_CAPACITY ||
    (capacity & (capacity - 1)) !== 0
  ) {
    throw new RingbusRangeError(
      'RINGBUS_ERR_CAPACITY_NOT_POW2',
      `capacity must be a power of two in [${MIN_CAPACITY}, ${MAX_CAPACITY}], got ${show(capacity)}`,
    );
  }
  const producerType = options.producerType ?? 'single';
  if (producerType !== 'single' && producerType !== 'multi') {
    throw new RingbusTypeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `producerType must be 'single' or 'multi', got ${show(producerType)}`,
    );
  }
  const initialSequence = options.initialSequence ?? 0;
  if (
    typeof initialSequence !== 'number' ||
    !Number.isSafeInteger(initialSequence) ||
    initialSequence < 0 ||
    initialSequence > MAX_SEQUENCE
  ) {
    throw new RingbusRangeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `initialSequence must be an integer in [0, ${MAX_SEQUENCE}], got ${show(initialSequence)}`,
    );
  }
  const slotSize = resolveSlotSize(options.event, options.slotSize);
  return { capacity, producerType, initialSequence, slotSize };
}

const RAW_EVENT_NAME = 'RawSlot';
const rawEvents = new Map<number, EventType>();
/** The event type of a ring created without a schema: one `data` bytes field filling the slot. */
function rawEvent(slotSize: number): EventType {
  let e = rawEvents.get(slotSize);
  if (!e) {
    e = defineEvent(RAW_EVENT_NAME, { data: { type: 'bytes', length: slotSize - SLOT_HEADER_BYTES } });
    rawEvents.set(slotSize, e);
  }
  return e;
}

function resolveSlotSize(event: EventType | undefined, slotSize: number | undefined): number {
  if (event !== undefined && (typeof event !== 'object' || event === null || typeof event.Flyweight !== 'function')) {
    throw new RingbusTypeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `event must be the result of defineEvent(...), got ${show(event)}`,
    );
  }
  if (slotSize === undefined) {
    if (!event)
      throw new RingbusTypeError('RINGBUS_ERR_INVALID_OPTION', 'a ring needs an event schema (event) or a slotSize');
    return event.slotSize;
  }
  if (
    typeof slotSize !== 'number' ||
    !Number.isInteger(slotSize) ||
    slotSize % 8 !== 0 ||
    slotSize < SLOT_HEADER_BYTES + 8 ||
    slotSize > 1 << 20
  ) {
    throw new RingbusRangeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `slotSize must be a multiple of 8 in [${SLOT_HEADER_BYTES + 8}, ${1 << 20}], got ${show(slotSize)}`,
    );
  }
  if (!event && slotSize > SLOT_HEADER_BYTES + MAX_SIZED_LENGTH) {
    throw new RingbusRangeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `slotSize without an event schema must be at most ${SLOT_HEADER_BYTES + MAX_SIZED_LENGTH} (header + the largest raw bytes field), got ${show(slotSize)}`,
    );
  }
  if (event && slotSize < event.slotSize) {
    throw new RingbusRangeError(
      'RINGBUS_ERR_SLOT_TOO_SMALL',
      `slotSize ${slotSize} is too small for event ${event.name}, which needs ${event.slotSize} bytes (16-byte header + ${event.payloadSize} bytes of fields)`,
    );
  }
  return slotSize;
}
