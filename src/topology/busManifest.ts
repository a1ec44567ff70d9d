import { RingbusError } from '../errors.js';
import { readManifest, writeManifest } from '../persistence/dataDirManifest.js';
import type { EventType } from '../schema/defineEvent.js';
import type { HandlerRef } from './HandlerRef.js';
import { ProgressLineRef } from './progressLines.js';

/** JSON-able copy of a value, or undefined (e.g. options holding a SharedArrayBuffer). */
function jsonable(value: unknown): unknown {
  if (value === undefined) return undefined;
  try {
    const text = JSON.stringify(value);
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Writes `<dataDir>/manifest.json` with the event schema and the handler graph (module, worker,
 * dependencies, policy, options when JSON-able) so that `ringbus replay` can rebuild the same
 * bus. Refuses a data directory written with another schema unless upcasters are configured.
 */
export function writeBusManifest(
  dataDir: string,
  event: EventType,
  handlers: readonly HandlerRef[],
  bus: { capacity: number; producerType: string },
  upcasting: boolean,
): void {
  const existing = readManifest(dataDir);
  if (existing && existing.fingerprint !== event.fingerprint && !upcasting) {
    throw new RingbusError(
      'RINGBUS_ERR_JOURNAL_FINGERPRINT',
      `data directory ${dataDir} was written with event ${existing.event.name} fingerprint ${existing.fingerprint}; this bus uses ${event.name} fingerprint ${event.fingerprint} (configure persistence.upcasters to read the old journal)`,
    );
  }
  writeManifest(dataDir, {
    event: event.definition,
    handlers: dependenciesFirst(handlers).map((h) => ({
      name: h.name,
      module: h.moduleUrl,
      worker: h.worker,
      dependsOn: recordedDependencies(h),
      onError: h.policy,
      deadLetterPath: h.deadLetterPath,
      options: h.name === 'journal' ? undefined : jsonable(h.options),
      optionsRecorded: h.name === 'journal' || h.options === undefined || jsonable(h.options) !== undefined,
    })),
    ...(existing ? { createdAt: existing.createdAt } : {}),
  });
  void bus;
}

/** A rebuilt bus (replay, standby) has no writer for a progress line: its stages run after the journal. */
function recordedDependencies(h: HandlerRef): string[] {
  return h.dependsOn!.map((d) => (d instanceof ProgressLineRef ? 'journal' : d.name));
}

/**
 * The handlers in an order where each comes after what it is recorded to depend on (the plan's
 * order already is, except that a journal placed at start follows stages placed after a progress line).
 */
function dependenciesFirst(handlers: readonly HandlerRef[]): HandlerRef[] {
  const out: HandlerRef[] = [];
  const done = new Set<string>();
  const waiting: HandlerRef[] = [];
  const ready = (h: HandlerRef): boolean => recordedDependencies(h).every((d) => done.has(d));
  const emit = (h: HandlerRef): void => {
    out.push(h);
    done.add(h.name);
    // a handler held back for this one goes right after it, in plan order
    for (let i = waiting.findIndex(ready); i >= 0; i = waiting.findIndex(ready)) emit(waiting.splice(i, 1)[0]!);
  };
  for (const h of handlers)
    if (ready(h)) emit(h);
    else waiting.push(h);
  return [...out, ...waiting]; // anything left is not a graph the plan accepts: keep its order
}
