/**
 * Where each thread of a scenario ran: which thread, pinned to which CPU (or not, and why), and
 * how it waited. Every figure is printed with its placement, since on a 2-core machine the same
 * code gives very different numbers spinning, blocking, pinned or not.
 */
import { currentCpu, nativeStatus, pinCurrentThread } from '../../src/index.js';

/** One thread of a scenario. */
export interface ThreadPlacement {
  /** What it does, e.g. "producer", "consumer". */
  readonly role: string;
  /** "main" or "worker 1", … */
  readonly thread: string;
  /** CPU it was pinned to, or null when unpinned. */
  readonly cpu: number | null;
  /** Wait strategy it used on the ring (or how it waited, e.g. "event loop"). */
  readonly wait: string;
}

export interface Placement {
  readonly threads: readonly ThreadPlacement[];
  /** Whether every thread is pinned. */
  readonly pinned: boolean;
  /** Why threads are not pinned (e.g. native addon missing); null when pinned. */
  readonly note: string | null;
}

/**
 * Pins the calling thread to `cpu` when the native addon allows it and the CPU exists; returns
 * the CPU it is pinned to, or null (never throws: an unpinned run is still a run, and the
 * placement says so). Call it in each thread, before the thread starts others it should not
 * constrain.
 */
export function tryPin(cpu: number): number | null {
  try {
    const r = pinCurrentThread([cpu]);
    return r.pinned ? cpu : null;
  } catch {
    return null;
  }
}

/** Why pinning is unavailable, or null when the addon is loaded. */
export function pinningNote(): string | null {
  const s = nativeStatus();
  return s.loaded ? null : `native addon not loaded (${s.reason ?? 'unknown reason'})`;
}

/** The CPU the calling thread runs on now (-1 without the addon). */
export function cpuNow(): number {
  return currentCpu();
}

/**
 * Builds the placement record from each thread's report. `unpinnedWhy` explains threads left
 * unpinned on purpose (otherwise an unpinned thread is put down to the addon or the OS).
 */
export function describePlacement(threads: readonly ThreadPlacement[], unpinnedWhy?: string): Placement {
  const pinned = threads.every((t) => t.cpu !== null);
  return {
    threads,
    pinned,
    note: pinned ? null : (unpinnedWhy ?? pinningNote() ?? 'pinning refused by the OS (see process warnings)'),
  };
}

/** One line, e.g. "producer: main @cpu0 busy-spin | consumer: worker 1 @cpu1 busy-spin". */
export function placementLine(p: Placement): string {
  const parts = p.threads.map(
    (t) => `${t.role}: ${t.thread} ${t.cpu === null ? 'unpinned' : `@cpu${t.cpu}`} (${t.wait})`,
  );
  return parts.join(' | ') + (p.note ? ` — ${p.note}` : '');
}
