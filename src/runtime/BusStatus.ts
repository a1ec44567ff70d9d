import {
  HALT_F64_SEQUENCE,
  HALT_HANDLER,
  HALT_MESSAGE_LENGTH,
  HALT_MESSAGE_OFFSET,
  HALT_READY,
  HALT_REASON,
  HALT_WORKER,
  MESSAGE_BYTES,
  METRICS_REQUEST,
  REPLAY_F64_UNTIL,
  STATUS_BYTES,
  STOP_REQUEST,
  workerStateWord,
} from '../layout/BusStatusDescriptor.js';

/** Details of the first failure that halted the bus. */
export interface HaltInfo {
  readonly reason: number;
  readonly workerIndex: number;
  readonly handlerIndex: number;
  readonly sequence: number;
  readonly message: string;
}

/**
 * Typed access to the bus status block (see BusStatusDescriptor). Any thread may wrap the same
 * buffer. Reads and writes of the request/state words are Atomics; the halt details are written
 * once, by the thread that won the HALT_REASON compareExchange, before HALT_READY is set.
 */
export class BusStatus {
  readonly buffer: SharedArrayBuffer;
  readonly #i32: Int32Array;
  readonly #f64: Float64Array;
  readonly #u8: Uint8Array;

  /** Wraps an existing status block (created by `BusStatus.create()` on another thread). */
  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.#i32 = new Int32Array(buffer, 0, HALT_MESSAGE_OFFSET / 4);
    this.#f64 = new Float64Array(buffer, 0, HALT_MESSAGE_OFFSET / 8);
    this.#u8 = new Uint8Array(buffer, HALT_MESSAGE_OFFSET, MESSAGE_BYTES);
  }

  /** A fresh status block: nothing requested, not halted, no replay. */
  static create(): BusStatus {
    const status = new BusStatus(new SharedArrayBuffer(STATUS_BYTES));
    status.#f64[REPLAY_F64_UNTIL] = -1;
    return status;
  }

  stopRequested(): boolean {
    return Atomics.load(this.#i32, STOP_REQUEST) !== 0;
  }
  requestStop(): void {
    Atomics.store(this.#i32, STOP_REQUEST, 1);
  }
  metricsRequest(): number {
    return Atomics.load(this.#i32, METRICS_REQUEST);
  }
  requestMetrics(): number {
    return Atomics.add(this.#i32, METRICS_REQUEST, 1) + 1;
  }
  workerState(i: number): number {
    return Atomics.load(this.#i32, workerStateWord(i));
  }
  setWorkerState(i: number, state: number): void {
    Atomics.store(this.#i32, workerStateWord(i), state);
  }
  /** Last sequence that is a replay of the journal (-1: none). Written before replay starts. */
  replayUntil(): number {
    return this.#f64[REPLAY_F64_UNTIL]!;
  }
  setReplayUntil(sequence: number): void {
    // a plain store: the replayed events are published after it with Atomics stores, and a worker
    // reads it only while handling such an event, so it always sees this value
    this.#f64[REPLAY_F64_UNTIL] = sequence;
  }

  /**
   * Records the first failure. Returns true if this call won (its details are the ones kept).
   * Allocates (encodes the message): failure path only.
   */
  tryHalt(reason: number, workerIndex: number, handlerIndex: number, sequence: number, message: string): boolean {
    if (Atomics.compareExchange(this.#i32, HALT_REASON, 0, reason) !== 0) return false;
    Atomics.store(this.#i32, HALT_WORKER, workerIndex);
    Atomics.store(this.#i32, HALT_HANDLER, handlerIndex);
    this.#f64[HALT_F64_SEQUENCE] = sequence;
    const bytes = new TextEncoder().encode(message);
    let n = Math.min(bytes.length, MESSAGE_BYTES);
    // do not cut a UTF-8 sequence in half
    while (n < bytes.length && n > 0 && (bytes[n]! & 0xc0) === 0x80) n--;
    this.#u8.set(bytes.subarray(0, n));
    Atomics.store(this.#i32, HALT_MESSAGE_LENGTH, n);
    Atomics.store(this.#i32, HALT_READY, 1);
    return true;
  }

  haltReason(): number {
    return Atomics.load(this.#i32, HALT_REASON);
  }

  /** The halt details once complete, else null. */
  haltInfo(): HaltInfo | null {
    if (Atomics.load(this.#i32, HALT_READY) === 0) return null;
    const n = Atomics.load(this.#i32, HALT_MESSAGE_LENGTH);
    return {
      reason: Atomics.load(this.#i32, HALT_REASON),
      workerIndex: Atomics.load(this.#i32, HALT_WORKER),
      handlerIndex: Atomics.load(this.#i32, HALT_HANDLER),
      sequence: this.#f64[HALT_F64_SEQUENCE]!,
      message: new TextDecoder().decode(this.#u8.slice(0, n)),
    };
  }
}
