/**
 * The state hash a data directory's journal gives at a sequence, by a read-only replay through the
 * handlers its manifest records (no snapshot): what a standby compares with its leader's.
 */
import { RingbusError } from '../errors.js';
import { busFromManifest } from '../topology/busFromManifest.js';

/** The bus state hash after `sequence`, by a read-only replay of the directory's journal (no snapshot). */
export async function replayStateHash(dataDir: string, sequence: number): Promise<string> {
  const bus = busFromManifest({ dataDir, readOnly: true, ignoreSnapshots: true, recoverTo: { sequence } });
  await bus.start();
  try {
    await bus.drain({ timeoutMs: 600_000 });
    if (bus.recovery!.replayedThrough !== sequence)
      throw new RingbusError(
        'RINGBUS_ERR_RECOVERY',
        `${dataDir}: replay reached sequence ${bus.recovery!.replayedThrough}, not ${sequence}`,
      );
    return (await bus.stateHash()).hash;
  } finally {
    await bus.shutdown();
  }
}
