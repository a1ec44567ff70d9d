/**
 * The progress bar on a terminal's stderr: orders done, the rate over the last second and the
 * ETA, redrawn in place at most 10 times a second. Off when stderr is not a terminal or with --json.
 */
export interface Progress {
  update(published: number): void;
  /** Clears the bar (before the summary is printed). */
  done(): void;
}

const WIDTH = 28;

export function createProgress(
  stream: NodeJS.WriteStream,
  enabled: boolean,
  plan: { orders: number; durationSec: number | null },
): Progress {
  if (!enabled) return { update() {}, done() {} };
  let t0 = -1; // the first update: publishing has started
  let firstCount = 0;
  let lastDraw = 0;
  let windowAt = 0;
  let windowCount = 0;
  let rate = 0;
  let drawn = false;
  return {
    update(published) {
      const now = performance.now();
      if (t0 < 0) {
        t0 = windowAt = now;
        firstCount = windowCount = published;
      }
      if (now - lastDraw < 100) return;
      lastDraw = now;
      if (now - windowAt >= 1000) {
        // the rate over the last second or so
        rate = ((published - windowCount) * 1000) / (now - windowAt);
        windowAt = now;
        windowCount = published;
      } else if (windowAt === t0) {
        rate = ((published - firstCount) * 1000) / Math.max(1, now - t0); // first second: the average so far
      }
      const elapsed = (now - t0) / 1000;
      const byOrders = Number.isFinite(plan.orders) ? published / plan.orders : 0;
      const byTime = plan.durationSec === null ? 0 : elapsed / plan.durationSec;
      const share = Math.min(1, Math.max(byOrders, byTime));
      const eta =
        share >= 1
          ? 0
          : byTime >= byOrders
            ? plan.durationSec! - elapsed
            : rate > 0
              ? (plan.orders - published) / rate
              : Infinity;
      const filled = Math.round(share * WIDTH);
      const bar = '#'.repeat(filled) + '-'.repeat(WIDTH - filled);
      const etaText = Number.isFinite(eta) ? `${eta.toFixed(1)} s` : '?';
      stream.write(
        `\r[${bar}] ${(share * 100).toFixed(0).padStart(3)}%  ${published.toLocaleString('en')} orders  ${Math.round(rate).toLocaleString('en')}/s  ETA ${etaText}   `,
      );
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}
