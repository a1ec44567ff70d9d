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
    handlers: handlers.map((h) => ({
      name: h.name,
      module: h.moduleUrl,
      worker: h.worker,
      // a rebuilt bus (replay, standby) has no writer for a progress line: its stages run after the journal
      dependsOn: h.dependsOn!.map((d) => (d instanceof ProgressLineRef ? 'journal' : d.name)),
      onError: h.policy,
      deadLetterPath: h.deadLetterPath,
      options: h.name === 'journal' ? undefined : jsonable(h.options),
      optionsRecorded: h.name === 'journal' || h.options === undefined || jsonable(h.options) !== undefined,
    })),
    ...(existing ? { createdAt: existing.createdAt } : {}),
  });
  void bus;
}
