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
