/**
 * Rebuilds the bus a data directory was written with from its manifest.json (event schema,
 * handler modules, wiring, policies, options) — what `ringbus replay` does — so that a standby
 * runs the same handlers as its leader. The handler modules must be installed at the URLs the
 * manifest records.
 */
import { RingbusError } from '../errors.js';
import { readManifest } from '../persistence/dataDirManifest.js';
import type { ExceptionPolicyOption } from '../processing/ExceptionPolicy.js';
import { defineEvent } from '../schema/defineEvent.js';
import type { HandlerRef } from '../topology/HandlerRef.js';
import { RingBus } from '../topology/RingBus.js';
import type { PersistenceOptions } from '../topology/BusPersistence.js';

interface ManifestHandlerEntry {
  name: string;
  module?: string;
  worker?: string | null;
  dependsOn?: string[];
  onError?: { type: string; module?: string; export?: string };
  options?: unknown;
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

/** The bus state hash after `sequence`, by a read-only replay of the directory's journal (no snapshot). */
export async function replayStateHash(dataDir: string, sequence: number): Promise<string> {
  const bus = busFromManifest({ dataDir, readOnly: true, ignoreSnapshots: true, recoverTo: { sequence } });
  await bus.start();
  try {
    await bus.drain({ timeoutMs: 600_000 });
    if (bus.recovery!.replayedThrough !== sequence)
      throw new RingbusError(
        'RINGBUS_ERR_RECOVERY',
        `${dataDir}: replay reached sequence ${bus.recovery!.replayedThrough}, not ${sequence}`,
      );
    return (await bus.stateHash()).hash;
  } finally {
    await bus.shutdown();
  }
}
