/**
 * Peer and limit runs measured in the same run as the ringbus figures, against the consumer in
 * workers/peerConsumer.ts (pinned to the consumer's CPU; this thread is the producer):
 *   - ringbuf.js (npm, SharedArrayBuffer SPSC ring): per-event push of one value, and batched
 *     push of BATCH values, the peer library in one-to-one;
 *   - a raw SPSC copy loop (no library: a Float64Array ring and two Atomics indices), per event
 *     and batched: what the machine can move between two threads at all.
 * (ping-pong's raw Atomics round trip runs on the ping-pong threads themselves: workers/pingPongPinger.ts.)
 * Both sides busy-spin (two spinning threads on two cores). Producer loops allocate nothing per
 * event; every run's sum is checked so a lost or repeated value fails the run.
 */
import { Worker } from 'node:worker_threads';
import { RingBuffer as RingbufJs } from 'ringbuf.js';
import { awaitMessage } from './latencyTools.js';
import { nowNs, timeRepeated, type RepeatedTiming } from './timing.js';
import { CELLS, READ_INDEX, WRITE_INDEX } from '../workers/peerCells.js';

const CAPACITY = 16 * 1024;

/** A started peer consumer worker and the CPU it pinned itself to (null: unpinned). */
export interface PeerWorker {
  readonly worker: Worker;
  readonly cpu: number | null;
}

/** Starts workers/peerConsumer.js pinned (when it can) to `cpu`; resolves once it is ready. */
export async function startPeerWorker(cpu: number): Promise<PeerWorker> {
  const worker = new Worker(new URL('../workers/peerConsumer.js', import.meta.url), { workerData: { cpu } });
  const ready = await awaitMessage<{ cpu: number | null }>(worker, 'ready');
  return { worker, cpu: ready.cpu };
}

const sumTo = (n: number): number => (n * (n - 1)) / 2;

/** Posts `cmd`, awaits 'started', runs `produce` (returns elapsed ns), checks the consumer's sum. */
async function oneRun(p: PeerWorker, cmd: object, n: number, produce: () => number, what: string): Promise<number> {
  const consumed = awaitMessage<{ sum: number }>(p.worker, 'consumed');
  consumed.catch(() => undefined); // awaited below
  const started = awaitMessage(p.worker, 'started');
  p.worker.postMessage(cmd);
  await started;
  const ns = produce();
  const { sum } = await consumed;
  if (sum !== sumTo(n)) throw new Error(`${what}: consumer summed ${sum}, expected ${sumTo(n)}`);
  return ns;
}

/**
 * ringbuf.js, `batch` events per push (1 = per event), each event `width` float64 values: the
 * event's value first, then width − 1 values the producer leaves alone (zeros), as the ring's
 * batch path leaves its slot header alone (width 3 = 24 bytes, a ringbus slot of one i53 field:
 * the same bytes per event cross between the threads). Timed until the consumer has popped all n.
 */
export function timeRingbufJs(
  p: PeerWorker,
  n: number,
  batch: number,
  warmup: number,
  reps: number,
  width = 1,
): Promise<RepeatedTiming> {
  return timeRepeated(warmup, reps, () => {
    const storage = RingbufJs.getStorageForCapacity(CAPACITY * width, Float64Array);
    const rb = new RingbufJs(storage, Float64Array);
    const ctl = new Int32Array(new SharedArrayBuffer(CELLS * 4));
    const buffer = new Float64Array(batch * width);
    const produce = (): number => {
      const t0 = nowNs();
      for (let i = 0; i < n;) {
        const k = n - i < batch ? n - i : batch;
        for (let j = 0; j < k; j++) buffer[j * width] = i + j;
        const values = k * width;
        let off = 0;
        while (off < values) off += rb.push(buffer, values - off, off);
        i += k;
      }
      while (Atomics.load(ctl, READ_INDEX) < n);
      return nowNs() - t0;
    };
    return oneRun(p, { cmd: 'ringbufjs', storage, ctl: ctl.buffer, n, width }, n, produce, 'ringbuf.js');
  });
}

/** The raw SPSC copy loop, publishing the write index every `batch` values (1 = per event). */
export function timeRawSpsc(
  p: PeerWorker,
  n: number,
  batch: number,
  warmup: number,
  reps: number,
): Promise<RepeatedTiming> {
  return timeRepeated(warmup, reps, () => {
    const ctl = new Int32Array(new SharedArrayBuffer(CELLS * 4));
    const data = new Float64Array(new SharedArrayBuffer(CAPACITY * 8));
    const mask = CAPACITY - 1;
    const produce = (): number => {
      const t0 = nowNs();
      let w = 0;
      let readSeen = 0; // the consumer's index as last read: reread only when the ring looks full
      while (w < n) {
        const k = n - w < batch ? n - w : batch;
        while (w + k - readSeen > CAPACITY) readSeen = Atomics.load(ctl, READ_INDEX);
        for (let j = 0; j < k; j++) data[(w + j) & mask] = w + j;
        w += k;
        Atomics.store(ctl, WRITE_INDEX, w);
      }
      while (Atomics.load(ctl, READ_INDEX) < n);
      return nowNs() - t0;
    };
    return oneRun(p, { cmd: 'raw-spsc', ctl: ctl.buffer, data: data.buffer, n }, n, produce, 'raw SPSC');
  });
}
