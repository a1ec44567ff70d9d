/**
 * Where the program measures latency, and how. THE one place that decides which stage counts as
 * "report out" and which as "durable ack": attachLatencyProbes() puts a probe stage (probeHandler.ts)
 * after each. Report-out is measured right after the `exchange` stage: the exchange produces every
 * execution report of a command while it processes that command (risk, matching and settlement in
 * one onEvent; with a reports ring it publishes them there at that moment), so the end of the
 * exchange stage is when the command's first report is out. Durable ack is measured after the ack
 * stage, which runs after bus.journal (which gates on the journal's durable sequence, so after the
 * command is durable under the fsync policy) and the exchange.
 *
 * Producer side: the producer calls `expect(sequence, scheduledNs)` when it publishes an order
 * and `harvest()` before each publish; harvest() records `doneNs − scheduledNs` for every order
 * the probe has finished, in order, into an HDR histogram. The shared arrays hold 2 × ring
 * capacity entries: the producer cannot be more than one ring ahead of a probe (probes are leaves,
 * so they gate it), so an entry is never overwritten before it is read. Allocation-free per order.
 */
import * as hdr from 'hdr-histogram-js';
import type { HandlerRef, RingBus } from '../../../src/index.js';

/** Latency percentiles in ns, as the summary and the JSON print them. */
export interface LatencyPercentiles {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly p9999: number;
  readonly max: number;
}

const HIGHEST_NS = 3_600_000_000_000;
let wasm: boolean | null = null;

function histogram(): hdr.Histogram {
  if (wasm === null) {
    try {
      hdr.initWebAssemblySync();
      wasm = true;
    } catch {
      wasm = false;
    }
  }
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_NS,
    numberOfSignificantValueDigits: 3,
    autoResize: false,
    useWebAssembly: wasm,
  });
}

export class LatencyProbe {
  readonly name: string;
  readonly buffer: SharedArrayBuffer;
  readonly size: number;
  readonly #mask: number;
  readonly #done: Float64Array;
  readonly #tag: Int32Array;
  /** Orders published, not yet harvested: a queue of (sequence, scheduledNs) by publish index. */
  readonly #pendingSeq: Float64Array;
  readonly #pendingAt: Float64Array;
  #head = 0;
  #tail = 0;
  #histogram: hdr.Histogram = histogram();
  /** Orders whose latency was not measured (the bus stopped before the probe saw them). */
  unmeasured = 0;

  constructor(name: string, ringCapacity: number) {
    this.name = name;
    this.size = ringCapacity * 2;
    this.#mask = this.size - 1;
    this.buffer = new SharedArrayBuffer(this.size * 12);
    this.#done = new Float64Array(this.buffer, 0, this.size);
    this.#tag = new Int32Array(this.buffer, this.size * 8, this.size);
    this.#tag.fill(-1); // no sequence s has (s | 0) === -1 before 2^32 - 1
    this.#pendingSeq = new Float64Array(this.size);
    this.#pendingAt = new Float64Array(this.size);
  }

  /** Handler options for the probe stage (the shared buffer travels to the worker). */
  handlerOptions(): { buffer: SharedArrayBuffer; size: number } {
    return { buffer: this.buffer, size: this.size };
  }

  /** The order at `sequence` was due at `scheduledNs` (ring clock). Call after harvest(). */
  expect(sequence: number, scheduledNs: number): void {
    if (this.#tail - this.#head >= this.size) {
      this.#head++; // cannot happen while the probe gates the producer; never block on it
      this.unmeasured++;
    }
    const i = this.#tail & this.#mask;
    this.#pendingSeq[i] = sequence;
    this.#pendingAt[i] = scheduledNs;
    this.#tail++;
  }

  /** Records every finished order, oldest first; returns how many. Allocation-free. */
  harvest(): number {
    let n = 0;
    while (this.#head < this.#tail) {
      const i = this.#head & this.#mask;
      const seq = this.#pendingSeq[i]!;
      const slot = seq & this.#mask;
      if (Atomics.load(this.#tag, slot) !== (seq | 0)) break;
      const ns = this.#done[slot]! - this.#pendingAt[i]!;
      this.#histogram.recordValue(ns < 1 ? 1 : ns > HIGHEST_NS ? HIGHEST_NS : Math.round(ns));
      this.#head++;
      n++;
    }
    return n;
  }

  /** Orders published and not yet harvested. */
  get pending(): number {
    return this.#tail - this.#head;
  }

  /** Percentiles so far (allocates). */
  percentiles(): LatencyPercentiles {
    const h = this.#histogram;
    const max = h.maxValue;
    const at = (p: number): number => Math.min(max, h.getValueAtPercentile(p));
    return {
      count: h.totalCount,
      p50: at(50),
      p90: at(90),
      p99: at(99),
      p999: at(99.9),
      p9999: at(99.99),
      max,
    };
  }

  /** Forgets what was recorded (pending orders stay pending). */
  reset(): void {
    this.#histogram.reset();
  }

  /** Frees the histogram (WebAssembly memory). */
  destroy(): void {
    this.#histogram.destroy();
  }
}

export interface LatencyProbes {
  readonly reportOut: LatencyProbe;
  readonly durableAck: LatencyProbe;
}

/**
 * Adds the two probe stages to a bus built by buildOrderMatchingStages (before start): report-out
 * after `exchange` (the end of the exchange stage is the command's first report out) and
 * durable-ack after `ack` (after bus.journal and exchange). Both on the engine worker, so neither
 * adds a thread.
 */
export function attachLatencyProbes(
  bus: RingBus,
  stages: { readonly exchange: HandlerRef; readonly ack: HandlerRef },
  ringCapacity: number,
): LatencyProbes {
  const url = new URL('./probeHandler.js', import.meta.url);
  const reportOut = new LatencyProbe('reportOut', ringCapacity);
  const durableAck = new LatencyProbe('durableAck', ringCapacity);
  const a = bus.handler('reportOutProbe', url, {
    worker: stages.exchange.worker ?? undefined,
    options: reportOut.handlerOptions(),
  });
  const b = bus.handler('durableAckProbe', url, {
    worker: stages.ack.worker ?? undefined,
    options: durableAck.handlerOptions(),
  });
  bus.after(stages.exchange).handleEventsWith(a);
  bus.after(stages.ack).handleEventsWith(b);
  return { reportOut, durableAck };
}
