/** Slots of the hiccup sampler's result array (Float64Array) and the scan that fills them. */
export const STAT_SAMPLED_NS = 0;
export const STAT_SLEEP_NS = 1;
export const STAT_SLACK_NS = 2;
export const STAT_LOST_NS = 3;
export const STAT_OVER_10US = 4;
export const STAT_OVER_100US = 5;
export const STAT_OVER_1MS = 6;
export const STAT_MAX_GAP_NS = 7;
export const STATS = 8;

const GAP_NS = 10_000;

/**
 * Counts the gaps: each oversleep minus the timer's slack (stats[STAT_SLACK_NS]) is time the
 * sampler was runnable but not running; those over 10 µs count, with their total and the largest.
 */
export function histogramGaps(lateNs: Float64Array, stats: Float64Array): void {
  const slack = stats[STAT_SLACK_NS]!;
  for (let i = 0; i < lateNs.length; i++) {
    const gap = lateNs[i]! - slack;
    if (gap <= GAP_NS) continue;
    stats[STAT_LOST_NS]! += gap;
    stats[STAT_OVER_10US]!++;
    if (gap > 100_000) stats[STAT_OVER_100US]!++;
    if (gap > 1_000_000) stats[STAT_OVER_1MS]!++;
    if (gap > stats[STAT_MAX_GAP_NS]!) stats[STAT_MAX_GAP_NS] = gap;
  }
}
