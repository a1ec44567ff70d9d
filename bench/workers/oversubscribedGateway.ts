/**
 * A gateway thread of the oversubscribed scenario: attaches to the running bus, waits for `go`,
 * publishes `events` events (value = its producer index), then reports { type: 'result' }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BusPublisher, type Flyweight, type PublisherDescriptor } from '../../src/index.js';

const { descriptor, events, index } = workerData as { descriptor: PublisherDescriptor; events: number; index: number };
const publisher = BusPublisher.attach(descriptor);
const fill = (e: Flyweight, _sequence: number, arg: number): void => {
  (e as Flyweight & { value: number }).value = arg;
};
parentPort!.once('message', () => {
  for (let i = 0; i < events; i++) publisher.publishWith(fill, index);
  parentPort!.postMessage({ type: 'result' });
});
parentPort!.postMessage({ type: 'ready' });
