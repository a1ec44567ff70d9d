/** The event of the topology throughput scenarios (one-to-three pipeline/diamond/multicast, three-to-one). */
import { defineEvent, type Flyweight } from '../../src/index.js';

export interface CountFlyweight extends Flyweight {
  value: number;
}

export const CountEvent = defineEvent<CountFlyweight>('CountEvent', { value: 'i53' });
