/**
 * A second or third producer thread of the three-to-one scenario. Says `ready`, then per command:
 *   { cmd: 'ring', publisher, from, n, batch }  publishes values from … from+n-1 into the bus
 *                                               (publishWith per event, or next(batch)/publish(lo, hi))
 *   { cmd: 'post', port, from, n }              posts the same values on `port`, one message each
 * and replies { type: 'produced' }. Publishing allocates nothing per event.
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import { BusPublisher, type PublisherDescriptor } from '../../src/index.js';
import type { CountFlyweight } from './countEvent.js';
import { publishRange } from './topologyPublish.js';

type Command =
  | { cmd: 'ring'; publisher: PublisherDescriptor; from: number; n: number; batch: number }
  | { cmd: 'post'; port: MessagePort; from: number; n: number };

const port = parentPort!;
const publishers = new Map<SharedArrayBuffer, BusPublisher<CountFlyweight>>();
port.on('message', (m: Command) => {
  if (m.cmd === 'ring') {
    let p = publishers.get(m.publisher.status);
    if (!p) publishers.set(m.publisher.status, (p = BusPublisher.attach<CountFlyweight>(m.publisher)));
    publishRange(p, m.from, m.n, m.batch);
  } else {
    for (let i = m.from; i < m.from + m.n; i++) m.port.postMessage(i);
    m.port.close();
  }
  port.postMessage({ type: 'produced' });
});
port.postMessage({ type: 'ready' });
