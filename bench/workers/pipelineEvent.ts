/**
 * The event of the pipeline scenario. The producer writes `value`, `scheduledNs` (when the event
 * was scheduled to be sent, ns on the ring's clock: the coordinated-omission-free start of its
 * latency) and `run` (which measurement it belongs to; 0 = warm-up). Stage a writes `a` from
 * `value`, stage b writes `b` from `a`, stage c writes `c` from `b`: c = 6·value + 9.
 */
import { defineEvent, type Flyweight } from '../../src/index.js';

export interface PipelineFlyweight extends Flyweight {
  value: number;
  scheduledNs: number;
  a: number;
  b: number;
  c: number;
  run: number;
}

export const PipelineEvent = defineEvent<PipelineFlyweight>('PipelineEvent', {
  value: 'i53',
  scheduledNs: 'f64',
  a: 'f64',
  b: 'f64',
  c: 'f64',
  run: 'i32',
});

/** What stage c computes from a value through a and b (checked on every event). */
export function expectedC(value: number): number {
  return value * 6 + 9;
}
