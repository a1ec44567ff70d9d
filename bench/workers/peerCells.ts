/** Cell indices of the peer and limit runs' control arrays (Int32), each on its own 64-byte line. */
/** Written by the producer: the ping value / the raw ring's write index. */
export const PING = 0;
export const WRITE_INDEX = 0;
/** Written by the consumer: the pong value / values read so far. */
export const PONG = 16;
export const READ_INDEX = 16;
/** Length of a control array. */
export const CELLS = 32;
