import type { RingBuffer } from '../core/RingBuffer.js';
import type { WaitChannel, WaitCondition, WaitStrategy } from '../core/WaitStrategy.js';
import type { BatchEventProcessor } from './BatchEventProcessor.js';
import type { BusStatus } from '../runtime/BusStatus.js';
import { GATE_POLL_MS } from './CrossRingGate.js';

/** How often onIdle runs while idle when it does not say (it returned undefined). */
export const DEFAULT_IDLE_MS = 50;
/** Shortest pause between idle hook runs (a hook that returns 0 must not turn the wait into a spin). */
const MIN_IDLE_MS = 0.1;

/** Why a worker loop returned. */
export type LoopExit = 'stopped' | 'halted';

/**
 * Drives the processors placed on one worker thread. Each pass gives every processor, in
 * dependency order, whatever its barrier releases; a downstream processor on the same thread
 * therefore sees its upstream's progress in the same pass, with no extra hop. When a pass finds
 * nothing to do, the thread idles with the wait strategy (spinning, yielding or blocking until a
 * publish or an upstream stage signals progress).
 *
 * Between passes it polls the bus status block: a stop request (after the bus drained), a halt
 * (ring alerted) and metrics requests. Allocation-free except when answering a metrics request.
 */
export class WorkerLoop implements WaitCondition {
  readonly #processors: readonly BatchEventProcessor[];
  readonly #ring: RingBuffer;
  readonly #status: BusStatus;
  readonly #strategy: WaitStrategy;
  readonly #channel: WaitChannel;
  readonly #onMetricsRequest: (requestId: number) => void;
  readonly #idlers: readonly BatchEventProcessor[];
  /** Processors with a cross-ring gate (their upstream ring does not wake this thread). */
  readonly #gatedKinds: readonly BatchEventProcessor[];
  #seenMetrics: number;

  constructor(
    processors: readonly BatchEventProcessor[],
    ring: RingBuffer,
    status: BusStatus,
    strategy: WaitStrategy,
    channel: WaitChannel,
    onMetricsRequest: (requestId: number) => void,
  ) {
    this.#processors = processors;
    this.#ring = ring;
    this.#status = status;
    this.#strategy = strategy;
    this.#channel = channel;
    this.#onMetricsRequest = onMetricsRequest;
    this.#seenMetrics = status.metricsRequest();
    this.#idlers = processors.filter((p) => typeof p.handler.onIdle === 'function');
    this.#gatedKinds = processors.filter((p) => p.hasGate);
  }

  /** Runs until stopped or halted. */
  run(): LoopExit {
    const ps = this.#processors;
    const n = ps.length;
    const ring = this.#ring;
    const status = this.#status;
    const idlers = this.#idlers;
    let idle = 0;
    let idleDueAt = 0;
    for (;;) {
      let work = 0;
      for (let i = 0; i < n; i++) {
        work += ps[i]!.processAvailable();
        if (ps[i]!.halted) return 'halted';
      }
      if (ring.isAlerted()) return 'halted';
      const request = status.metricsRequest();
      if (request !== this.#seenMetrics) {
        this.#seenMetrics = request;
        this.#onMetricsRequest(request);
      }
      if (work !== 0) {
        idle = 0;
        idleDueAt = 0; // idle hooks run on the first empty pass after work
        continue;
      }
      if (status.stopRequested()) return 'stopped';
      // Idle hooks run on time, whatever the strategy: a blocking step parks no longer than
      // the next hook is due (counting passes instead would stretch to minutes under 'blocking').
      let remainingMs = Infinity;
      if (idlers.length > 0) {
        const now = performance.now();
        if (now >= idleDueAt) idleDueAt = now + this.#runIdlers();
        remainingMs = idleDueAt - now;
      }
      // a stage held by a cross-ring gate waits for another ring, whose progress does not wake us
      if (remainingMs > GATE_POLL_MS && this.#anyGated()) remainingMs = GATE_POLL_MS;
      this.#strategy.idle(idle++, this.#channel, this, remainingMs);
    }
  }

  #anyGated(): boolean {
    const gs = this.#gatedKinds;
    for (let i = 0; i < gs.length; i++) if (gs[i]!.gated) return true;
    return false;
  }

  /** Runs every onIdle hook; returns ms until the soonest one is due again. Allocation-free. */
  #runIdlers(): number {
    let soonest = Infinity;
    for (let i = 0; i < this.#idlers.length; i++) {
      const due = this.#idlers[i]!.handler.onIdle!();
      const ms = typeof due === 'number' && due >= 0 ? Math.max(MIN_IDLE_MS, due) : DEFAULT_IDLE_MS;
      if (ms < soonest) soonest = ms;
    }
    return soonest;
  }

  /** WaitCondition: something to do (work, a request, a halt). */
  isSatisfied(): boolean {
    if (this.#ring.isAlerted() || this.#status.stopRequested() || this.#status.metricsRequest() !== this.#seenMetrics)
      return true;
    const ps = this.#processors;
    for (let i = 0; i < ps.length; i++) if (ps[i]!.hasWork()) return true;
    return false;
  }
}
