import { RingbusError } from '../errors.js';
import type { SupervisorMessage, WorkerMessage } from '../runtime/protocol.js';
import type { WorkerSet } from './WorkerSet.js';

/** Every stateful handler's state at one sequence (a consistent cut of the whole bus). */
export interface CapturedState {
  readonly sequence: number;
  readonly states: Readonly<Record<string, unknown>>;
  readonly hashes: Readonly<Record<string, string | null>>;
}

/**
 * Collects the per-handler answers to a control event at `sequence`: 'snapshot' messages (state
 * + hash) from the handlers in `expected`, or 'state-hash' messages. Rejects if a worker stops
 * or dies first, or after timeoutMs. Off the hot path.
 */
export function collectAt(
  workers: WorkerSet,
  kind: 'snapshot' | 'state-hash',
  sequence: number,
  expected: readonly string[],
  timeoutMs: number,
): Promise<CapturedState> {
  return new Promise((resolve, reject) => {
    const pending = new Set(expected);
    const states: Record<string, unknown> = {};
    const hashes: Record<string, string | null> = {};
    const finish = (error: Error | null): void => {
      clearTimeout(timer);
      unsubscribe();
      if (error) reject(error);
      else resolve({ sequence, states, hashes });
    };
    const unsubscribe = workers.subscribe((m: WorkerMessage | SupervisorMessage) => {
      if (kind === 'snapshot' && m.type === 'snapshot' && m.sequence === sequence) {
        states[m.handler] = m.state;
        hashes[m.handler] = m.stateHash;
        pending.delete(m.handler);
      } else if (kind === 'state-hash' && m.type === 'state-hash' && m.requestId === sequence) {
        for (const [name, h] of Object.entries(m.hashes)) {
          hashes[name] = h;
          pending.delete(name);
        }
      } else if (m.type === 'worker-exit' || (m.type === 'stopped' && m.halted)) {
        finish(
          new RingbusError(
            'RINGBUS_ERR_BUS_HALTED',
            `a worker stopped before every handler answered the ${kind} request at sequence ${sequence} (missing: ${[...pending].join(', ')})`,
          ),
        );
        return;
      }
      if (pending.size === 0) finish(null);
    });
    const timer = setTimeout(
      () =>
        finish(
          new RingbusError(
            'RINGBUS_ERR_DRAIN_TIMEOUT',
            `${kind} at sequence ${sequence} not answered within ${timeoutMs} ms by: ${[...pending].join(', ')}`,
          ),
        ),
      timeoutMs,
    );
    if (pending.size === 0) finish(null);
  });
}
