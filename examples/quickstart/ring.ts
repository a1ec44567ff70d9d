import { RingBuffer, defineEvent, ALERTED } from 'ringbus';

// 1. An event schema: fields are laid out in fixed-size binary slots.
const Tick = defineEvent('Tick', { symbolId: 'u32', price: 'f64', qty: 'u32', ts: 'i53' });

// 2. A ring of 1024 slots; one consumer sequence gates the producer.
const ring = new RingBuffer({ capacity: 1024, event: Tick });
const consumed = ring.newSequence();
ring.addGatingSequences(consumed);
const barrier = ring.newBarrier();

// 3. Publish: validated before a slot is claimed (a bad value throws, the ring is untouched).
for (let i = 0; i < 10; i++) ring.publishEvent({ symbolId: 7, price: 100 + i / 4, qty: 10 * (i + 1), ts: i });

// 4. Consume: wait for what is published, read through the flyweight, then move on.
let volume = 0;
const available = barrier.waitFor(consumed.get() + 1);
if (available !== ALERTED) {
  for (let seq = consumed.get() + 1; seq <= available; seq++) volume += ring.get(seq).qty as number;
  consumed.set(available);
}
console.log(`consumed up to sequence ${consumed.get()}, volume ${volume}`);
