/**
 * RingBus variant of the ping-pong ponger: a handler that answers every ping on the bus's ring
 * with a pong on the outbound ring 'pong' (declared in the bus options), carrying the same id
 * and sentNs. publishWith also stamps the pong's $timestamp (one clock read per pong).
 * Allocation-free per event (the translator is created once).
 */
import { defineHandler } from '../../src/index.js';
import type { PingFlyweight } from './pingPongEvent.js';

export default defineHandler<PingFlyweight>((ctx) => {
  const pong = ctx.outbound<PingFlyweight>('pong');
  const copy = (out: PingFlyweight, _sequence: number, ping: PingFlyweight): void => {
    out.id = ping.id;
    out.sentNs = ping.sentNs;
  };
  return {
    onEvent(event) {
      pong.publishWith(copy, event);
    },
  };
});
