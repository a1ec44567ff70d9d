/**
 * Names a bus's replication objects in NATS: the stream `RINGBUS_<BUS>` with the one subject
 * `ringbus.<bus>.journal`, and keys `<bus>.leader` (the lease) and `<bus>.manifest` (the data
 * directory manifest, so a standby can run the same handlers) in the key-value bucket
 * `ringbus` (created when absent).
 */
import { RingbusTypeError, show } from '../errors.js';

export const KV_BUCKET = 'ringbus';

export interface BusStreamNames {
  readonly bus: string;
  readonly stream: string;
  readonly subject: string;
  readonly leaseKey: string;
  readonly manifestKey: string;
}

/** Checks the bus name (letters, digits, '-' and '_', 1..64) and derives the names. */
export function busStreamNames(bus: unknown): BusStreamNames {
  if (typeof bus !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(bus))
    throw new RingbusTypeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `bus must be 1 to 64 letters, digits, '-' or '_' (it names the stream and the subject), got ${show(bus)}`,
    );
  return {
    bus,
    stream: `RINGBUS_${bus.toUpperCase().replace(/-/g, '_')}`,
    subject: `ringbus.${bus}.journal`,
    leaseKey: `${bus}.leader`,
    manifestKey: `${bus}.manifest`,
  };
}
