/**
 * Sequences are full JavaScript integers (exact up to 2^53) in each thread's own code, and 32-bit
 * words in shared memory. Why 32 bits are enough:
 *
 *   Every 32-bit word a thread reads is the low 32 bits of a full sequence that lies within a
 *   small, known distance of a full sequence the reader already holds (its reference):
 *     - a consumer reads the cursor or an upstream sequence: neither can be more than
 *       `capacity` ahead of the consumer's own next sequence (the producer is gated by the
 *       slowest leaf, which is gated by its upstreams), and neither is behind it by more than
 *       the batch it already took;
 *     - a producer reads gating sequences: each is at most `capacity` (plus claims in flight)
 *       behind what it claims;
 *     - a thread that holds no recent sequence (just attached, or idle for long) uses the ring's
 *       CURSOR_REF word, floor(cursor / 2^30) · 2^30, which trails the cursor by less than
 *       2^30 + capacity.
 *   capacity ≤ 2^28 (MAX_CAPACITY), so every such distance is < 2^31. A signed 32-bit
 *   difference `(word - (reference | 0)) | 0` is then exactly the true difference, through any
 *   number of 32-bit wraps, and `reference + difference` is the full sequence.
 *
 * Index math uses the 32-bit word directly: `word & mask` equals `full & mask` because the mask
 * has at most 28 bits.
 */

/** Low 32 bits of a full sequence, as the signed value an Int32Array stores. */
export function toWord(full: number): number {
  return full | 0;
}

/**
 * The full sequence whose low 32 bits are `word` and which lies within ±2^31 of `reference`.
 * Allocates nothing.
 */
export function fromWord(word: number, reference: number): number {
  return reference + ((word - (reference | 0)) | 0);
}

/** 2^30: granularity of the CURSOR_REF word. */
export const REF_UNIT = 2 ** 30;

/** Largest full sequence ringbus accepts (leaves room below 2^53 for arithmetic). */
export const MAX_SEQUENCE = Number.MAX_SAFE_INTEGER - 2 ** 32;

/** Sentinel returned by waits when the ring was halted. Never a valid sequence. */
export const ALERTED = -2;
/** Sentinel returned by timed waits that expired. Never a valid sequence. */
export const TIMED_OUT = -3;
/** Sentinel returned by tryNext() when the ring has no room. Never a valid claim. */
export const INSUFFICIENT_CAPACITY = -1;
