import type { RingBuffer } from '../core/RingBuffer.js';
import type { WaitChannel, WaitCondition, WaitStrategy } from '../core/WaitStrategy.js';
import type { BatchEventProcessor } from './BatchEventProcessor.js';
import type { BusStatus } from '../runtime/BusStatus.js';

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
  }

  /** Runs until stopped or halted. */
  run(): LoopExit {
    const ps = this.#processors;
    const n = ps.length;
    const ring = this.#ring;
    const status = this.#status;
    let idle = 0;
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
        continue;
      }
      if (status.stopRequested()) return 'stopped';
      // idle hooks run every 1024th empty pass (spinning) and on every pass once blocking sets in
      if ((idle & 1023) === 0 || idle > 10_000)
        for (let i = 0; i < this.#idlers.length; i++) this.#idlers[i]!.handler.onIdle!();
      this.#strategy.idle(idle++, this.#channel, this, Infinity);
    }
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
