/**
 * Halt propagation inside a BusGroup: when one ring halts, every other ring of the group is
 * halted too (reason HALT_PEER, so their publishers throw RINGBUS_ERR_PEER_HALTED naming the ring
 * that halted first and its cause). Called by each bus's supervisor when one of its workers leaves
 * a halted ring (its event loop is free even while the main thread is blocked on a full ring),
 * and by the group on the main thread. The first halt of a ring wins, so the rings do not halt
 * each other back and forth. Failure path only: allocates.
 */
import { RingBuffer } from '../core/RingBuffer.js';
import { HALT_PEER } from '../layout/BusStatusDescriptor.js';
import { BusStatus } from '../runtime/BusStatus.js';
import type { PeerRing } from '../runtime/protocol.js';

/** Halts every peer that is still running; `from` names the ring that halted, `cause` why. */
export function haltPeers(from: string, cause: string, peers: readonly PeerRing[]): void {
  for (const p of peers) {
    const status = new BusStatus(p.status);
    if (status.haltReason() !== 0) continue;
    if (status.tryHalt(HALT_PEER, -1, -1, NaN, `ring '${from}' of the bus group halted: ${cause}`))
      RingBuffer.attach(p.ring).halt(HALT_PEER);
  }
}

/** The cause recorded in a halted ring's status block (its halt message, or the reason code). */
export function haltCause(status: BusStatus): string {
  let info = status.haltInfo();
  for (let i = 0; info === null && i < 1_000_000; i++) info = status.haltInfo();
  return info?.message ?? `halt reason ${status.haltReason()}`;
}
