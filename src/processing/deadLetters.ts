import { DeadLetterWriter } from '../persistence/DeadLetterWriter.js';
import type { Flyweight } from '../schema/defineEvent.js';

/** Where the 'skip' policy records failed events. */
export interface DeadLetterSink {
  /** Appends one failure and syncs it to disk (failure path: allocates). */
  append(sequence: number, handlerName: string, message: string, stack: string, event: Flyweight): void;
  close(): void;
}

/** Opens (creating directories as needed) the dead-letter file at `path`. */
export function openDeadLetterSink(path: string): DeadLetterSink {
  const writer = new DeadLetterWriter(path);
  return {
    append(sequence, handlerName, message, stack, event) {
      writer.append({
        sequence,
        handlerName,
        message,
        stack,
        kind: event.$kind,
        aux: event.$aux,
        timestampNs: event.$timestamp,
        payload: event.$bytes(),
      });
    },
    close() {
      writer.close();
    },
  };
}
