import { copyBytes, int32ViewOf } from './byteCopy.js';

/**
 * One journal record as JournalReader yields it. The reader reuses ONE instance for every record:
 * read what you need (or copy it) before calling next() again.
 */
export class JournalRecord {
  /** The record's sequence (an integer exact to 2^53). */
  sequence = 0;
  /** Publish timestamp, ns since `epochMs`. */
  timestampNs = 0;
  /** Slot kind (KIND_EVENT, KIND_VOID, KIND_CONTROL). */
  kind = 0;
  /** Slot aux word. */
  aux = 0;
  /** Ring epoch (ms since 1970) of the segment the record is in. */
  epochMs = 0;
  /** Schema fingerprint (u32) of the segment the record is in (before any upcast). */
  fingerprint = 0;
  #bytes: Uint8Array = new Uint8Array(0);
  #words: Int32Array | null = null;
  #target: Uint8Array | null = null;
  #targetWords: Int32Array | null = null;
  #index = 0;
  #length = 0;
  #view: Uint8Array | null = null;

  /** @internal Points the record at event bytes in a buffer (the reader's chunk or an upcast result). */
  _point(bytes: Uint8Array, words: Int32Array | null, index: number, length: number): void {
    this.#bytes = bytes;
    this.#words = words;
    this.#index = index;
    this.#length = length;
    this.#view = null;
  }

  /** Bytes of event data. */
  get payloadLength(): number {
    return this.#length;
  }

  /**
   * The event bytes as a view into the reader's buffer: valid until the next call to next().
   * The view is created on first access per record (one small allocation); copyPayloadTo()
   * allocates nothing.
   */
  get payload(): Uint8Array {
    if (this.#view === null) this.#view = this.#bytes.subarray(this.#index, this.#index + this.#length);
    return this.#view;
  }

  /**
   * Copies the event bytes into `target` at `offset` (e.g. a ring slot); returns the byte count.
   * Allocation-free, except that the first call with a new `target` array builds (and keeps) an
   * Int32Array view of it for word copies: pass the same array each time.
   */
  copyPayloadTo(target: Uint8Array, offset: number): number {
    if (target !== this.#target) {
      this.#target = target;
      this.#targetWords = int32ViewOf(target);
    }
    copyBytes(this.#bytes, this.#words, this.#index, target, this.#targetWords, offset, this.#length);
    return this.#length;
  }
}
