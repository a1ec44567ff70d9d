/**
 * Small helpers for tests that run real worker threads: start a worker and get its one
 * `{ type: 'result' }` message as a promise (rejecting if the worker throws or exits first),
 * wait for a message of a given type, and poll a condition with a hang guard.
 */
import { Worker } from 'node:worker_threads';

/** A started worker and the promise of its result message. */
export interface StartedWorker<R> {
  readonly worker: Worker;
  /** Resolves with the first message whose `type` is 'result'; rejects on an uncaught error or an exit before it. */
  readonly result: Promise<R>;
}

/** Starts `url` (a built .js file) as a worker thread with `workerData`. */
export function startWorker<R>(
  url: URL,
  workerData: unknown,
  name = url.pathname.split('/').pop() ?? 'worker',
): StartedWorker<R> {
  const worker = new Worker(url, { workerData, name });
  const result = new Promise<R>((resolve, reject) => {
    let done = false;
    worker.on('message', (m: { type?: string }) => {
      if (m && m.type === 'result' && !done) {
        done = true;
        resolve(m as R);
      }
    });
    worker.once('error', (err) => {
      if (!done) {
        done = true;
        reject(new Error(`worker ${name} threw: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));
      }
    });
    worker.once('exit', (code) => {
      if (!done) {
        done = true;
        reject(new Error(`worker ${name} exited with code ${code} before sending its result`));
      }
    });
  });
  return { worker, result };
}

/** The next message from `worker` with `type === type` (resolves with the whole message). */
export function nextMessage<M extends { type: string }>(worker: Worker, type: string): Promise<M> {
  return new Promise<M>((resolve, reject) => {
    const onMessage = (m: M): void => {
      if (m && m.type === type) {
        cleanup();
        resolve(m);
      }
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(new Error(`worker exited with code ${code} while a '${type}' message was awaited`));
    };
    const cleanup = (): void => {
      worker.off('message', onMessage);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('exit', onExit);
  });
}

/** Resolves after `ms` milliseconds (does not block the thread). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `condition` (every `everyMs`) until it holds. `guardMs` is a hang guard only, not a
 * timing assertion: it should be far longer than the condition can legitimately take, and when
 * it passes the promise rejects with `describe()` so a hang becomes a readable failure.
 */
export async function waitUntil(
  condition: () => boolean,
  describe: () => string,
  guardMs = 60_000,
  everyMs = 1,
): Promise<void> {
  const deadline = Date.now() + guardMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`condition not reached within the ${guardMs} ms hang guard: ${describe()}`);
    await delay(everyMs);
  }
}

/**
 * Buffers every message a worker sends from the moment it is created, so a test can await them
 * one by one by type without missing one that arrived before it asked.
 */
export class MessageQueue<M extends { type: string } = { type: string }> {
  readonly #buffered: M[] = [];
  readonly #waiting: Array<{ type: string; resolve: (m: M) => void; reject: (e: Error) => void }> = [];
  #exited: number | null = null;

  constructor(worker: Worker) {
    worker.on('message', (m: M) => {
      const i = this.#waiting.findIndex((w) => m && w.type === m.type);
      if (i >= 0) this.#waiting.splice(i, 1)[0]!.resolve(m);
      else this.#buffered.push(m);
    });
    worker.once('exit', (code) => {
      this.#exited = code;
      for (const w of this.#waiting.splice(0))
        w.reject(new Error(`worker exited with code ${code} while a '${w.type}' message was awaited`));
    });
  }

  /** The oldest unread message of `type` (waits for one if none is buffered). */
  next(type: string): Promise<M> {
    const i = this.#buffered.findIndex((m) => m && m.type === type);
    if (i >= 0) return Promise.resolve(this.#buffered.splice(i, 1)[0]!);
    if (this.#exited !== null)
      return Promise.reject(new Error(`worker exited with code ${this.#exited} while a '${type}' message was awaited`));
    return new Promise<M>((resolve, reject) => this.#waiting.push({ type, resolve, reject }));
  }
}
