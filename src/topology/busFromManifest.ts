/**
 * Rebuilds the bus a data directory was written with from its manifest.json (event schema,
 * handler modules, wiring, policies, options): the one builder `ringbus replay` and a replication
 * standby both use, so they run the same handlers as the writer. The handler modules must be
 * installed at the URLs the manifest records. Cold path.
 */
import { RingbusError } from '../errors.js';
import { readManifest } from '../persistence/dataDirManifest.js';
import type { ExceptionPolicyOption } from '../processing/ExceptionPolicy.js';
import { defineEvent } from '../schema/defineEvent.js';
import type { HandlerRef } from './HandlerRef.js';
import { RingBus } from './RingBus.js';
import type { PersistenceOptions } from './BusPersistence.js';

interface ManifestHandlerEntry {
  name: string;
  module?: string;
  worker?: string | null;
  dependsOn?: string[];
  onError?: { type: string; module?: string; export?: string };
  options?: unknown;
  optionsRecorded?: boolean;
}

function bad(dataDir: string, message: string): RingbusError {
  return new RingbusError('RINGBUS_ERR_DATA_DIR_MANIFEST', `data directory manifest ${dataDir}: ${message}`);
}

/** A bus (not started) with the manifest's event and handler graph and the given persistence options. */
export function busFromManifest(persistence: PersistenceOptions): RingBus {
  const dataDir = persistence.dataDir;
  const manifest = readManifest(dataDir);
  if (!manifest) throw bad(dataDir, 'manifest.json is missing');
  const bus = new RingBus({ event: defineEvent(manifest.event.name, manifest.event.fields), persistence });
  const refs = new Map<string, HandlerRef>([['journal', bus.journal]]);
  for (const h of manifest.handlers as unknown as ManifestHandlerEntry[]) {
    const deps = (h.dependsOn ?? []).map((d) => {
      const r = refs.get(d);
      if (!r) throw bad(dataDir, `handler ${h.name} depends on ${d}, which is not listed before it`);
      return r;
    });
    let ref: HandlerRef;
    if (h.name === 'journal') ref = bus.journal;
    else {
      if (!h.module) throw bad(dataDir, `handler ${h.name} has no module`);
      if (h.optionsRecorded === false)
        throw bad(dataDir, `the options of handler ${h.name} were not JSON-serialisable, so it cannot be rebuilt`);
      const onError: ExceptionPolicyOption =
        h.onError?.type === 'skip'
          ? 'skip'
          : h.onError?.type === 'custom' && h.onError.module
            ? { module: h.onError.module, export: h.onError.export ?? 'default' }
            : 'halt';
      ref = bus.handler(h.name, h.module, { ...(h.worker ? { worker: h.worker } : {}), options: h.options, onError });
      refs.set(h.name, ref);
    }
    if (deps.length === 0) bus.handleEventsWith(ref);
    else bus.after(...deps).handleEventsWith(ref);
  }
  return bus;
}
