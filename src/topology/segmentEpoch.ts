import { closeSync, openSync, readSync } from 'node:fs';
import { SEGMENT_HEADER_BYTES } from '../layout/JournalDescriptor.js';
import { decodeSegmentHeader, type SegmentHeader } from '../persistence/segmentHeader.js';

/** Reads and checks the header of one journal segment file. */
export function readSegmentHeaderOf(path: string): SegmentHeader {
  const fd = openSync(path, 'r');
  try {
    const bytes = new Uint8Array(SEGMENT_HEADER_BYTES);
    readSync(fd, bytes, 0, SEGMENT_HEADER_BYTES, 0);
    return decodeSegmentHeader(bytes, path);
  } finally {
    closeSync(fd);
  }
}
