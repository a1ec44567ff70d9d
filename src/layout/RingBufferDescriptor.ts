/**
 * Binary layout of one ring: a single SharedArrayBuffer holding
 *
 *   0                                                         CONTROL_BLOCK_BYTES
 *   +-----------------------------------------------------------+
 *   | line 0: header (written once, before the buffer is shared) |
 *   |   0 magic | 1 version | 2 capacity | 3 slotSize |          |
 *   |   4 producerType | 5 maxSequences | 6-7 initialCursor f64 |  (int32 word indices)
 *   |   8-9 epochMs f64 | 10 event fingerprint (u32 as i32)       |
 *   +-----------------------------------------------------------+
 *   | line 1:  CURSOR           producer-written (claim cursor for multi-producer)
 *   | line 2:  CURSOR_REF       floor(fullCursor / 2^30): coarse reference for 32-bit reconstruction
 *   | line 3:  CONSUMER_WAITERS consumers blocked waiting for data
 *   | line 4:  PUBLISH_SIGNAL   futex word consumers block on; bumped on publish / stage progress
 *   | line 5:  PRODUCER_WAITERS producers blocked on a full ring
 *   | line 6:  PROGRESS_SIGNAL  futex word producers block on; bumped when a gating stage advances
 *   | line 7:  ALERT            non-zero: the ring is halted; waits return ALERTED
 *   | line 8:  GATING_MASK      bit i set: sequence line i gates the producer
 *   | line 9:  SEQUENCE_ALLOC   bit i set: sequence line i is in use
 *   | lines 10 .. 10+MAX_SEQUENCES-1: one consumer sequence per line (32-bit, wrap-safe)
 *   +-----------------------------------------------------------+  availabilityOffset
 *   | availability: Int32[capacity] (multi-producer only): slot i holds the 32-bit sequence   |
 *   |   last published into it; a consumer sees sequence s only when avail[s & mask] == s|0   |
 *   +-----------------------------------------------------------+  slotsOffset (128-aligned)
 *   | slots: capacity × slotSize bytes; each slot = SLOT_HEADER (16 bytes) + event fields    |
 *   +-----------------------------------------------------------+  totalBytes
 *
 * Every counter written independently by some thread sits on its own 128-byte line so that two
 * writers never share a cache line (128 rather than 64: adjacent-line prefetch pulls pairs).
 * All offsets below are computed from sizes (header and slot-header fields are laid out in order,
 * each aligned to its size, by fieldCursor); none is typed by hand.
 *
 * Slot header (per slot, 16 bytes):
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |            publish timestamp (f64, ns since the ring epoch)    |
 *   |                                                                |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                          kind (u32)                            |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                          aux (u32)                             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */

/** Bytes in one cache-line-isolated counter line. */
export const LINE_BYTES = 128;
/** Int32 words in one line. */
export const LINE_WORDS = LINE_BYTES / Int32Array.BYTES_PER_ELEMENT;

/** Magic number at word 0 of the header ("RBUS"). */
export const MAGIC = 0x52425553;
/** Layout version; attach() refuses any other. */
export const LAYOUT_VERSION = 1;

const I32 = Int32Array.BYTES_PER_ELEMENT;
const F64 = Float64Array.BYTES_PER_ELEMENT;

/**
 * Lays fields out one after another, each aligned to its own size; `end` is the bytes used.
 * The header and the slot header are both declared through it, in layout order.
 */
function fieldCursor(): { field(bytes: number): number; readonly end: number } {
  let end = 0;
  return {
    field(bytes: number): number {
      const at = alignUp(end, bytes);
      end = at + bytes;
      return at;
    },
    get end(): number {
      return end;
    },
  };
}

const header = fieldCursor();
/** Header word: magic number. */
export const HDR_MAGIC = header.field(I32) / I32;
/** Header word: layout version. */
export const HDR_VERSION = header.field(I32) / I32;
/** Header word: number of slots (a power of two). */
export const HDR_CAPACITY = header.field(I32) / I32;
/** Header word: bytes per slot (multiple of 8, includes the slot header). */
export const HDR_SLOT_SIZE = header.field(I32) / I32;
/** Header word: 0 single producer, 1 multi producer. */
export const HDR_PRODUCER_TYPE = header.field(I32) / I32;
/** Header word: number of sequence lines. */
export const HDR_MAX_SEQUENCES = header.field(I32) / I32;
/** Header Float64 index (in a Float64Array over the same buffer): full initial cursor. */
export const HDR_F64_INITIAL_CURSOR = header.field(F64) / F64;
/** Header Float64 index: wall-clock epoch (ms since 1970) that slot timestamps count from. */
export const HDR_F64_EPOCH_MS = header.field(F64) / F64;
/** Header word: the event schema's fingerprint (attach() refuses another schema). */
export const HDR_FINGERPRINT = header.field(I32) / I32;
/** Bytes of the header actually used (it owns line 0). */
export const HEADER_BYTES = header.end;

/** Producer type codes stored in the header. */
export const PRODUCER_SINGLE = 0;
export const PRODUCER_MULTI = 1;

/** Line number → int32 word index of its first word. */
const line = (n: number): number => n * LINE_WORDS;

/** Claim/publish cursor (32-bit). */
export const CURSOR = line(1);
/** floor(fullCursor / 2^30): lets any thread rebuild full sequences from 32-bit words. */
export const CURSOR_REF = line(2);
/** Count of consumers that registered before blocking on PUBLISH_SIGNAL. */
export const CONSUMER_WAITERS = line(3);
/** Futex word for consumers; bumped (and notified) only when CONSUMER_WAITERS > 0. */
export const PUBLISH_SIGNAL = line(4);
/** Count of producers that registered before blocking on PROGRESS_SIGNAL. */
export const PRODUCER_WAITERS = line(5);
/** Futex word for producers; bumped (and notified) only when PRODUCER_WAITERS > 0. */
export const PROGRESS_SIGNAL = line(6);
/** Halt flag: 0 running, otherwise a halt reason code. */
export const ALERT = line(7);
/** Bit mask of sequence lines that gate the producer. */
export const GATING_MASK = line(8);
/** Bit mask of sequence lines in use. */
export const SEQUENCE_ALLOC = line(9);
/** First sequence line. */
const FIRST_SEQUENCE_LINE = 10;
/** Number of consumer sequence lines (one bit each in the masks above). */
export const MAX_SEQUENCES = 32;
/** Word index of sequence line i. */
export function sequenceWord(i: number): number {
  return line(FIRST_SEQUENCE_LINE + i);
}

/** Bytes of the control block. */
export const CONTROL_BLOCK_BYTES = line(FIRST_SEQUENCE_LINE + MAX_SEQUENCES) * Int32Array.BYTES_PER_ELEMENT;

const slotHeader = fieldCursor();
/** Byte offset of the publish timestamp within a slot. */
export const SLOT_TIMESTAMP_OFFSET = slotHeader.field(F64);
/** Byte offset of the kind word within a slot. */
export const SLOT_KIND_OFFSET = slotHeader.field(I32);
/** Byte offset of the aux word within a slot. */
export const SLOT_AUX_OFFSET = slotHeader.field(I32);
/** Bytes of the slot header (timestamp f64, kind u32, aux u32), rounded up so event fields start 8-aligned. */
export const SLOT_HEADER_BYTES = alignUp(slotHeader.end, F64);

/** Slot kinds. */
export const KIND_EVENT = 0;
/** A slot whose translator failed: published (no hole), skipped by processors. */
export const KIND_VOID = 1;
/** A control event (e.g. snapshot marker); aux says which. */
export const KIND_CONTROL = 2;

/** Smallest and largest ring capacities. */
export const MIN_CAPACITY = 2;
/**
 * Largest capacity. Kept ≤ 2^28 so that every 32-bit difference the ring takes (cursor minus a
 * consumer, a claim minus the reference) stays far below 2^31 — see core/sequenceMath.ts.
 */
export const MAX_CAPACITY = 2 ** 28;

/** Rounds n up to a multiple of `to` (a power of two). */
export function alignUp(n: number, to: number): number {
  return (n + to - 1) & ~(to - 1);
}

/** Computed layout of one ring. */
export interface RingLayout {
  readonly capacity: number;
  readonly slotSize: number;
  readonly multiProducer: boolean;
  readonly availabilityOffset: number;
  readonly slotsOffset: number;
  readonly totalBytes: number;
}

/** Computes the byte layout for a ring (capacity and slot size already validated). */
export function computeLayout(capacity: number, slotSize: number, multiProducer: boolean): RingLayout {
  const availabilityOffset = CONTROL_BLOCK_BYTES;
  const availabilityBytes = multiProducer ? capacity * Int32Array.BYTES_PER_ELEMENT : 0;
  const slotsOffset = alignUp(availabilityOffset + availabilityBytes, LINE_BYTES);
  return {
    capacity,
    slotSize,
    multiProducer,
    availabilityOffset,
    slotsOffset,
    totalBytes: slotsOffset + capacity * slotSize,
  };
}
