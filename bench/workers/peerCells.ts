/** Cell indices of the peer and limit runs' control arrays (Int32), each on its own 128-byte pair of lines. */
/** Written by the producer: the raw ring's write index. */
export const WRITE_INDEX = 0;
/** Written by the consumer: values read so far (128 bytes from WRITE_INDEX: no adjacent-line prefetch sharing). */
export const READ_INDEX = 32;
/** Length of a control array. */
export const CELLS = 64;
