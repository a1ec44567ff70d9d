/** The publishing loops of the topology throughput scenarios, shared by the main thread and producer workers. */
import type { BusPublisher } from '../../src/index.js';
import type { CountFlyweight } from './countEvent.js';

const setValue = (e: CountFlyweight, _s: number, v: number): void => {
  e.value = v;
};

/**
 * Publishes values from … from+n-1: per event with publishWith (batch 1), or `batch` at a time
 * with next(k) · k flyweight writes · publish(lo, hi) on the bus's ring. Allocation-free.
 */
export function publishRange(p: BusPublisher<CountFlyweight>, from: number, n: number, batch: number): void {
  if (batch === 1) {
    for (let i = from; i < from + n; i++) p.publishWith(setValue, i);
    return;
  }
  const ring = p.ring;
  const w = ring.flyweight();
  for (let i = from; i < from + n;) {
    const k = from + n - i < batch ? from + n - i : batch;
    const hi = ring.next(k);
    const lo = hi - k + 1;
    for (let s = lo; s <= hi; s++) {
      w.$wrap(ring.slotOffset(s));
      w.value = i++;
    }
    ring.publish(lo, hi);
  }
}
