/**
 * The supervisor worker: starts the handler workers and watches them. Its own event loop never
 * blocks, so it sees a worker's death (uncaught error, process.exit, out of memory) even while
 * the main thread is parked in Atomics.wait on a full ring; it then records the cause in the
 * bus status block and halts the ring, which wakes every blocked producer with an error.
 */
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { RingBuffer } from '../core/RingBuffer.js';
import { HALT_WORKER_DIED, WORKER_FAILED, WORKER_RUNNING, WORKER_STARTING } from '../layout/BusStatusDescriptor.js';
import { BusStatus } from '../runtime/BusStatus.js';
import { describeError } from '../processing/ExceptionPolicy.js';
import type { SupervisorInit, SupervisorMessage } from '../runtime/protocol.js';
import { startStallWatchdog } from './stallWatchdog.js';
import { haltCause, haltPeers } from './peerHalt.js';

const init = workerData as SupervisorInit;
const status = new BusStatus(init.status);
const ring = RingBuffer.attach(init.ring, { type: 'blocking' });
const post = (m: SupervisorMessage): void => parentPort!.postMessage(m);
let alive = init.workers.length;
let peersHalted = false;
const stopWatchdog = startStallWatchdog(
  ring,
  status,
  init.workers.map((w) => w.init),
  init.stallTimeoutMs,
);

init.workers.forEach(({ init: w, resourceLimits }, i) => {
  const port = init.ports[i]!;
  const worker = new Worker(new URL(init.workerScript), {
    workerData: { ...w, port },
    transferList: [port],
    resourceLimits: resourceLimits ?? undefined,
    stdout: false,
    stderr: false,
  });
  let errorCause: string | null = null;
  worker.on('error', (error) => {
    const d = describeError(error);
    const code = (error as { code?: string }).code;
    errorCause = code === 'ERR_WORKER_OUT_OF_MEMORY' ? `out of memory (${d.message})` : `uncaught ${d.message}`;
  });
  worker.on('exit', (code) => {
    const state = status.workerState(w.workerIndex);
    // a worker that leaves while it should be running (or still starting) died
    const unexpected = state === WORKER_RUNNING || state === WORKER_STARTING || errorCause !== null;
    const cause =
      errorCause ??
      (unexpected ? `exited with code ${code} while running (process.exit or a crash)` : `exited with code ${code}`);
    if (unexpected) {
      status.setWorkerState(w.workerIndex, WORKER_FAILED);
      const handlers = w.handlers.map((h) => h.name).join(', ');
      if (
        status.tryHalt(
          HALT_WORKER_DIED,
          w.workerIndex,
          -1,
          NaN,
          `worker '${w.workerName}' (handlers: ${handlers}) died: ${cause}`,
        )
      )
        ring.halt(HALT_WORKER_DIED);
      else ring.halt(status.haltReason() || HALT_WORKER_DIED);
    }
    // a worker left a halted ring: halt the other rings of the bus group (once)
    if (init.peers && !peersHalted && status.haltReason() !== 0) {
      peersHalted = true;
      haltPeers(init.peers.self, haltCause(status), init.peers.rings);
    }
    post({ type: 'worker-exit', workerIndex: w.workerIndex, workerName: w.workerName, code, unexpected, cause });
    if (--alive === 0) {
      stopWatchdog();
      post({ type: 'all-exited' });
      parentPort!.close();
    }
  });
});
