/**
 * External progress lines: sequence lines of the ring's control block that something outside the
 * handler graph moves (e.g. the replication relay, `ringbus/replication`), which stages can be
 * placed after, like `bus.journal`:
 *
 * ```ts
 * const replicated = bus.addProgressLine('replicated', { maxLagEvents: 4096 });
 * bus.after(replicated).handleEventsWith(ack);   // ack sees only events the line has passed
 * ```
 *
 * A line follows the journal: its writer (ProgressLineWriter.ts, in any thread) never moves it past
 * the journal's durable sequence, so a stage after it sees only events that are durable here and
 * that the writer vouches for. With `maxLagEvents` a second, hidden line gates the producer at
 * `line + maxLagEvents`: publishing waits (or `tryPublish*` returns -1, `publishEventWithTimeout`
 * throws RINGBUS_ERR_PUBLISH_TIMEOUT) while the line is that far behind. Main thread only.
 */
import type { RingBuffer, RingDescriptor } from '../core/RingBuffer.js';
import type { Sequence } from '../core/Sequence.js';
import { RingbusError, RingbusRangeError, show } from '../errors.js';
import { HandlerRef } from './HandlerRef.js';

export interface ProgressLineOptions {
  /**
   * Hold publishers back while the cursor is this many events ahead of the line (1..capacity;
   * larger values are capped at the ring's capacity). Default: no bound beyond the ring's own
   * (stages placed after the line still gate the producer like any stage).
   */
  readonly maxLagEvents?: number;
}

/** What a writer needs to move a line from any thread (structured-cloneable). */
export interface ProgressLineDescriptor {
  readonly name: string;
  readonly ring: RingDescriptor;
  /** The bus's status block (a failed writer halts the bus through it). */
  readonly status: SharedArrayBuffer;
  /** Control-block line the writer moves. */
  readonly line: number;
  /** Line that gates the producer (`line − gatingOffset`), -1 without maxLagEvents. */
  readonly gatingLine: number;
  /** capacity − maxLagEvents. */
  readonly gatingOffset: number;
  /** The journal's durable line: the writer never moves the line past it. */
  readonly ceilingLine: number;
  /** The bus's data directory (whose journal the line follows). */
  readonly dataDir: string;
  /** The effective bound (null: none). */
  readonly maxLagEvents: number | null;
}

const LINE_MODULE = 'data:text/javascript,export default null';

/**
 * The DSL handle of a progress line: a HandlerRef so that `bus.after(line)` places stages after it,
 * but never run by a worker (the plan leaves it out; BusRuntime maps it to its line).
 */
export class ProgressLineRef extends HandlerRef {
  readonly maxLagEvents: number | null;
  readonly dataDir: string;
  readonly #onReady: ((d: ProgressLineDescriptor) => void)[] = [];

  constructor(owner: object, name: string, journal: HandlerRef, dataDir: string, options: ProgressLineOptions = {}) {
    super(owner, name, LINE_MODULE);
    const lag = options.maxLagEvents;
    if (lag !== undefined && (typeof lag !== 'number' || !Number.isSafeInteger(lag) || lag < 1))
      throw new RingbusRangeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `progress line '${name}': maxLagEvents must be a positive integer, got ${show(lag)}`,
      );
    this.maxLagEvents = lag ?? null;
    this.dataDir = dataDir;
    // it follows the journal's durable sequence; placed so that after(line) accepts it
    this.dependsOn = [journal];
  }

  /** Calls `callback` synchronously once the ring exists (in start(), before recovery replays the journal). */
  onRingReady(callback: (descriptor: ProgressLineDescriptor) => void): void {
    this.#onReady.push(callback);
  }

  /** @internal RingBus: the ring exists. */
  ringReady(descriptor: ProgressLineDescriptor): void {
    for (const cb of this.#onReady) cb(descriptor);
  }
}

/** The progress lines registered on a bus before start (RingBus.addProgressLine). */
export class ProgressLineRegistry {
  readonly #lines: ProgressLineRef[] = [];

  get all(): readonly ProgressLineRef[] {
    return this.#lines;
  }

  /**
   * Registers a line following `journal` (null: the bus has no persistence, refused); its name
   * must differ from every handler's (`handlers`) and line's.
   */
  add(
    owner: object,
    name: string,
    options: ProgressLineOptions,
    journal: { ref: HandlerRef; dataDir: string } | null,
    handlers: readonly { name: string }[],
  ): ProgressLineRef {
    if (!journal)
      throw new RingbusError(
        'RINGBUS_ERR_BUS_STATE',
        `progress line '${name}' follows the journal: the bus needs persistence options`,
      );
    if ([...handlers, ...this.#lines].some((h) => h.name === name))
      throw new RingbusError(
        'RINGBUS_ERR_TOPOLOGY',
        `a handler or progress line named '${name}' is already registered`,
      );
    const line = new ProgressLineRef(owner, name, journal.ref, journal.dataDir, options);
    this.#lines.push(line);
    return line;
  }

  /** The line registered under `name`. */
  of(name: string): ProgressLineRef {
    const line = this.#lines.find((l) => l.name === name);
    if (!line) throw new RingbusError('RINGBUS_ERR_TOPOLOGY', `the bus has no progress line named ${show(name)}`);
    return line;
  }
}

/** The lines of a started bus: allocated beside the handlers' sequences. */
export class ProgressLines {
  readonly #ring: RingBuffer;
  readonly #lines = new Map<HandlerRef, { visible: Sequence; gating: Sequence | null; offset: number }>();

  constructor(ring: RingBuffer, refs: readonly ProgressLineRef[]) {
    this.#ring = ring;
    for (const ref of refs) {
      const visible = ring.newSequence();
      let gating: Sequence | null = null;
      let offset = 0;
      if (ref.maxLagEvents !== null) {
        offset = ring.capacity - Math.min(ref.maxLagEvents, ring.capacity);
        gating = ring.newSequence();
        ring.addGatingSequences(gating);
        // publishers may run maxLagEvents ahead of the line from the first event on
        gating.set(visible.get() - offset);
      }
      this.#lines.set(ref, { visible, gating, offset });
    }
  }

  /** The control-block line stages after `ref` read (undefined: not a progress line). */
  lineOf(ref: HandlerRef): number | undefined {
    return this.#lines.get(ref)?.visible.line;
  }

  /** The line's current value (any time; may be stale by what the writer published since). */
  sequence(ref: HandlerRef): number {
    const l = this.#lines.get(ref);
    if (!l) throw new RingbusError('RINGBUS_ERR_TOPOLOGY', `'${ref.name}' is not a progress line of this bus`);
    return l.visible.read(this.#ring.getCursor());
  }

  /** Hands each line's descriptor to its onRingReady callbacks (start(), before the journal is replayed). */
  announce(refs: readonly ProgressLineRef[], status: SharedArrayBuffer, ceilingLine: number): void {
    for (const ref of refs) ref.ringReady(this.descriptor(ref, status, ceilingLine));
  }

  descriptor(ref: ProgressLineRef, status: SharedArrayBuffer, ceilingLine: number): ProgressLineDescriptor {
    const l = this.#lines.get(ref)!;
    return {
      name: ref.name,
      ring: this.#ring.descriptor(),
      status,
      line: l.visible.line,
      gatingLine: l.gating?.line ?? -1,
      gatingOffset: l.offset,
      ceilingLine,
      dataDir: ref.dataDir,
      maxLagEvents: l.gating ? this.#ring.capacity - l.offset : null,
    };
  }
}
