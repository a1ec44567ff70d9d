/**
 * Exact integer helpers for money arithmetic on JS numbers (integers below 2^53 are exact).
 */

/**
 * floor(a × b / c), exactly, for safe integers a ≥ 0, 0 ≤ b ≤ c, c ≥ 1 (so the result ≤ a).
 * Allocation-free while a × b < 2^53; beyond that it takes an exact BigInt path (allocates;
 * reached only by positions whose cost basis × quantity passes 2^53 ticks·units²).
 */
export function mulDivFloor(a: number, b: number, c: number): number {
  const x = a * b;
  if (x <= Number.MAX_SAFE_INTEGER) {
    let q = Math.floor(x / c);
    const r = x - q * c; // exact: q × c is within a rounding step of x < 2^53
    if (r < 0) q--;
    else if (r >= c) q++;
    return q;
  }
  return Number((BigInt(a) * BigInt(b)) / BigInt(c));
}
