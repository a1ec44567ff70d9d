/**
 * One journal record as a JetStream message body. The relay builds it from what JournalReader
 * yields (never from the journal's bytes on disk, whose framing belongs to src/persistence), so the
 * stream carries every field of the record and its event bytes exactly:
 *
 *   0  magic "RBRM" (u32)        4  format version (u32, = 1)
 *   8  sequence (f64)           16  publish timestamp, ns since the epoch (f64)
 *  24  ring epoch, ms (f64)     32  slot kind (u32)      36  slot aux (u32)
 *  40  schema fingerprint (u32) 44  event byte count (u32)
 *  48  event bytes
 *
 * Little-endian. `Nats-Msg-Id` of the message is the sequence in decimal.
 */
import { RingbusError } from '../errors.js';
import type { JournalRecord } from '../persistence/JournalRecord.js';
import type { FollowedRecord } from '../topology/BusFollower.js';

export const RECORD_MESSAGE_MAGIC = 0x4d52_4252; // "RBRM" little-endian
export const RECORD_MESSAGE_VERSION = 1;
export const RECORD_MESSAGE_HEADER_BYTES = 48;

/** A decoded stream record (owns its bytes): what a follower bus applies (BusFollower.apply). */
export type ReplicatedRecord = FollowedRecord;

/** Encodes the record the reader yielded into a new message body (the reader reuses its record). */
export function encodeRecord(record: JournalRecord): Uint8Array {
  const out = new Uint8Array(RECORD_MESSAGE_HEADER_BYTES + record.payloadLength);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, RECORD_MESSAGE_MAGIC, true);
  dv.setUint32(4, RECORD_MESSAGE_VERSION, true);
  dv.setFloat64(8, record.sequence, true);
  dv.setFloat64(16, record.timestampNs, true);
  dv.setFloat64(24, record.epochMs, true);
  dv.setUint32(32, record.kind, true);
  dv.setUint32(36, record.aux, true);
  dv.setUint32(40, record.fingerprint, true);
  dv.setUint32(44, record.payloadLength, true);
  record.copyPayloadTo(out, RECORD_MESSAGE_HEADER_BYTES);
  return out;
}

/** Decodes a message body; RINGBUS_ERR_REPLICATION_DIVERGED when it is not a ringbus record. */
export function decodeRecord(body: Uint8Array, where: string): ReplicatedRecord {
  const bad = (why: string): RingbusError =>
    new RingbusError('RINGBUS_ERR_REPLICATION_DIVERGED', `${where}: not a ringbus journal record (${why})`);
  if (body.length < RECORD_MESSAGE_HEADER_BYTES) throw bad(`${body.length} bytes, shorter than the 48-byte header`);
  const dv = new DataView(body.buffer, body.byteOffset, body.length);
  if (dv.getUint32(0, true) !== RECORD_MESSAGE_MAGIC) throw bad('bad magic');
  const version = dv.getUint32(4, true);
  if (version !== RECORD_MESSAGE_VERSION) throw bad(`format version ${version}, expected ${RECORD_MESSAGE_VERSION}`);
  const length = dv.getUint32(44, true);
  if (length !== body.length - RECORD_MESSAGE_HEADER_BYTES)
    throw bad(`event byte count ${length} but ${body.length - RECORD_MESSAGE_HEADER_BYTES} bytes follow the header`);
  return {
    sequence: dv.getFloat64(8, true),
    timestampNs: dv.getFloat64(16, true),
    epochMs: dv.getFloat64(24, true),
    kind: dv.getUint32(32, true),
    aux: dv.getUint32(36, true),
    fingerprint: dv.getUint32(40, true),
    payload: body.subarray(RECORD_MESSAGE_HEADER_BYTES),
  };
}

/** True when two message bodies are byte-for-byte equal. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
