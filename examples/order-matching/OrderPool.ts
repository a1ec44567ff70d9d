/**
 * Pre-allocated storage for resting orders: one node per order, struct-of-arrays (typed arrays
 * indexed by node number), with a free list threaded through `next`. Nodes also carry the links of
 * their price level's FIFO (an intrusive doubly linked list: `prev` / `next`, -1 = none).
 *
 * Allocation: alloc() and free() allocate nothing, except that alloc() doubles every array when
 * all nodes are in use (amortised; choose `capacity` ≥ the usual number of live orders to avoid it).
 * The arrays are replaced on growth: read them through the pool each time, never cache them.
 */
export const NIL = -1;

export class OrderPool {
  /** Order id (i53). */
  orderId: Float64Array;
  /** Owner account (u32). */
  account: Uint32Array;
  /** Remaining (open) quantity. */
  qty: Float64Array;
  /** 1 when the node rests on the bid side, 0 on the ask side. */
  isBid: Uint8Array;
  /** Price level the node is queued in (BookSide level number). */
  level: Int32Array;
  /** FIFO links within the level; `next` also links the free list. */
  prev: Int32Array;
  next: Int32Array;
  #free = NIL;
  #highWater = 0;
  #inUse = 0;

  constructor(capacity = 1024) {
    this.orderId = new Float64Array(capacity);
    this.account = new Uint32Array(capacity);
    this.qty = new Float64Array(capacity);
    this.isBid = new Uint8Array(capacity);
    this.level = new Int32Array(capacity);
    this.prev = new Int32Array(capacity);
    this.next = new Int32Array(capacity);
  }

  /** Nodes currently allocated. */
  get inUse(): number {
    return this.#inUse;
  }

  /** Node slots currently reserved (grows by doubling). */
  get capacity(): number {
    return this.qty.length;
  }

  /** A free node (links reset to NIL). Allocation-free unless the pool must grow. */
  alloc(): number {
    let n = this.#free;
    if (n !== NIL) this.#free = this.next[n]!;
    else {
      if (this.#highWater === this.qty.length) this.#grow();
      n = this.#highWater++;
    }
    this.prev[n] = NIL;
    this.next[n] = NIL;
    this.#inUse++;
    return n;
  }

  /** Returns node `n` to the free list. */
  free(n: number): void {
    this.next[n] = this.#free;
    this.qty[n] = 0;
    this.#free = n;
    this.#inUse--;
  }

  /** Frees every node at once (keeps the arrays). */
  clear(): void {
    this.#free = NIL;
    this.#highWater = 0;
    this.#inUse = 0;
  }

  #grow(): void {
    const size = this.qty.length * 2;
    const grow = <T extends Float64Array | Uint32Array | Int32Array | Uint8Array>(
      a: T,
      make: new (n: number) => T,
    ): T => {
      const b = new make(size);
      b.set(a as never);
      return b;
    };
    this.orderId = grow(this.orderId, Float64Array);
    this.account = grow(this.account, Uint32Array);
    this.qty = grow(this.qty, Float64Array);
    this.isBid = grow(this.isBid, Uint8Array);
    this.level = grow(this.level, Int32Array);
    this.prev = grow(this.prev, Int32Array);
    this.next = grow(this.next, Int32Array);
  }
}
