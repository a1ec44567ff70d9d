/**
 * What happens when a handler's onEvent throws.
 *   - 'halt' (default): the bus stops at the failing sequence; the error names handler, sequence
 *     and cause. The handler's sequence stays just before the failing one.
 *   - 'skip': the event is written to the handler's dead-letter file (sequence, handler, error,
 *     event bytes) and processing goes on.
 *   - a custom policy: `{ module: URL | string, export?: string }` naming a module whose export
 *     (default: `default`) is an `ExceptionPolicyFunction` deciding 'halt' or 'skip' per failure.
 *     Functions cannot cross into a worker thread, hence the module reference.
 */
export type ExceptionPolicyOption = 'halt' | 'skip' | { module: URL | string; export?: string };

export type ExceptionDecision = 'halt' | 'skip';

/** A custom policy. Runs on the handler's worker; may not be async. */
export type ExceptionPolicyFunction = (
  error: unknown,
  sequence: number,
  handlerName: string,
  event: unknown,
) => ExceptionDecision;

export type { ResolvedExceptionPolicy } from '../runtime/protocol.js';

/** Describes an error for logs and dead letters: "Name: message" plus the stack. Allocates. */
export function describeError(error: unknown): { message: string; stack: string } {
  if (error instanceof Error) return { message: `${error.name}: ${error.message}`, stack: error.stack ?? '' };
  let text: string;
  try {
    text = typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
  } catch {
    text = String(error);
  }
  return { message: `non-Error thrown: ${text}`, stack: '' };
}
