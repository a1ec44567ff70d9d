/**
 * The event of the ping-pong scenario: `id` (the round trip's number, checked on return) and
 * `sentNs` (the pinger's clock, RingBuffer.now(), when it sent the ping, carried back in the pong).
 */
import { defineEvent, type Flyweight } from '../../src/index.js';

export interface PingFlyweight extends Flyweight {
  id: number;
  sentNs: number;
}

export const PingEvent = defineEvent<PingFlyweight>('PingEvent', { id: 'i53', sentNs: 'f64' });

/** The one Int32 cell of each direction's array in the raw Atomics round trip (ping-pong's limit). */
export const RAW_CELL = 0;
/** Sent in the raw ping cell to end the ponger's loop (ids start at 1). */
export const RAW_STOP = -1;
