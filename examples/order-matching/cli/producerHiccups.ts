/**
 * Hiccups during the run, measured by the paced producer itself. Between orders it spins on the
 * clock (pacing.ts), so consecutive clock reads are normally a few hundred ns apart; a longer gap
 * is time the thread did not run: the OS or the hypervisor took the core, or the runtime stopped
 * it (a GC on this thread). Those gaps are what a spinning engine thread on the same machine
 * loses too, so a latency tail can be set beside them. Gaps that the producer made itself (its
 * sleeps before a far-off order, its event-loop turns) are not counted, and nor is a flat-out run
 * (its gaps are back-pressure: a full ring, not the machine). Allocation-free per observation.
 */
import type { HiccupInfo } from '../../../src/index.js';

const GAP_NS = 10_000;

export class ProducerHiccups {
  #sampledNs = 0;
  #lostNs = 0;
  #over10us = 0;
  #over100us = 0;
  #over1ms = 0;
  #maxNs = 0;

  /** One gap between two consecutive clock reads of the spinning producer. */
  observe(gapNs: number): void {
    this.#sampledNs += gapNs;
    if (gapNs <= GAP_NS) return;
    this.#lostNs += gapNs;
    this.#over10us++;
    if (gapNs > 100_000) this.#over100us++;
    if (gapNs > 1_000_000) this.#over1ms++;
    if (gapNs > this.#maxNs) this.#maxNs = gapNs;
  }

  /** What was observed, in the shape of the library's hiccup meter (gcDuringMeter: not counted, -1). */
  info(): HiccupInfo {
    return {
      sampledMs: Math.round(this.#sampledNs / 1e6),
      gapsOver10us: this.#over10us,
      gapsOver100us: this.#over100us,
      gapsOver1ms: this.#over1ms,
      maxGapNs: Math.round(this.#maxNs),
      lostPercent: this.#sampledNs === 0 ? 0 : Math.round((10_000 * this.#lostNs) / this.#sampledNs) / 100,
      gcDuringMeter: -1,
    };
  }
}
