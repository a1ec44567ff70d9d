/**
 * A one-line progress bar on stderr for long CLI runs (replay, cat of big journals). Prints
 * nothing at all when the stream is not a TTY (pipes, CI logs, tests), so output stays clean.
 *
 * ```ts
 * const progress = createProgress({ total: lastSequence - firstSequence + 1, label: 'replay' });
 * for (...) progress.update(done);   // cheap: redraws at most every intervalMs
 * progress.finish();
 * ```
 */

export interface ProgressOptions {
  /** Units of work in all (≤ 0: unknown, no percentage). */
  readonly total: number;
  /** Text before the bar. */
  readonly label?: string;
  /** Where to draw; default process.stderr. Only a TTY stream gets output. */
  readonly stream?: { isTTY?: boolean; columns?: number; write(text: string): unknown };
  /** Least ms between redraws; default 100. */
  readonly intervalMs?: number;
}

export interface ProgressReporter {
  /** Reports `done` units finished; redraws when intervalMs passed since the last draw. */
  update(done: number): void;
  /** Draws the final state and ends the line (idempotent). */
  finish(): void;
}

const NOOP: ProgressReporter = Object.freeze({ update() {}, finish() {} });

/** A reporter that draws on a TTY and does nothing otherwise. */
export function createProgress(options: ProgressOptions): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  if (stream.isTTY !== true) return NOOP;
  const total = options.total;
  const label = options.label ?? '';
  const interval = options.intervalMs ?? 100;
  const started = performance.now();
  let lastDraw = -Infinity;
  let current = 0;
  let finished = false;

  const draw = (): void => {
    const elapsedS = Math.max((performance.now() - started) / 1000, 1e-9);
    const rate = current / elapsedS;
    const rateText =
      rate >= 1e6
        ? `${(rate / 1e6).toFixed(1)}M/s`
        : rate >= 1e3
          ? `${(rate / 1e3).toFixed(1)}k/s`
          : `${rate.toFixed(0)}/s`;
    let line: string;
    if (total > 0) {
      const fraction = Math.min(1, current / total);
      const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - 40));
      const filled = Math.round(fraction * width);
      line = `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(fraction * 100).toFixed(1)}% ${current}/${total} ${rateText}`;
    } else {
      line = `${label} ${current} ${rateText}`;
    }
    stream.write(`\r${line}\x1b[K`);
  };

  return {
    update(done: number): void {
      if (finished) return;
      current = done;
      const now = performance.now();
      if (now - lastDraw < interval) return;
      lastDraw = now;
      draw();
    },
    finish(): void {
      if (finished) return;
      finished = true;
      draw();
      stream.write('\n');
    },
  };
}
