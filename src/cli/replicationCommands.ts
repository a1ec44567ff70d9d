/**
 * `ringbus replication relay`, `ringbus replication status` and `ringbus standby`: the journal
 * relay, a look at a bus's stream and lease, and a standby that mirrors and contends for the
 * lease (docs/replication.md).
 */
import { hostname } from 'node:os';
import { JournalRelay } from '../replication/JournalRelay.js';
import { replicationStatus } from '../replication/replicationStatus.js';
import { Standby } from '../replication/Standby.js';
import { writeOut, type CliCommand, type CliValues } from './command.js';
import { parseSequenceOption, requireString, usageError } from './usage.js';

const servers = (v: CliValues): string => requireString('servers', v.servers);
const bus = (v: CliValues): string => {
  const name = requireString('bus', v.bus);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name))
    throw usageError(`--bus must be 1 to 64 letters, digits, '-' or '_', got ${JSON.stringify(name)}`);
  return name;
};
const positive = (name: string, v: CliValues, fallback: number): number => {
  const n = parseSequenceOption(name, v[name]) ?? fallback;
  if (n < 1) throw usageError(`--${name} must be at least 1, got ${n}`);
  return n;
};

/** Resolves on SIGINT / SIGTERM (the listeners are removed afterwards). */
function untilSignal(): { promise: Promise<void>; dispose: () => void } {
  let done!: () => void;
  const promise = new Promise<void>((resolve) => (done = resolve));
  process.on('SIGINT', done);
  process.on('SIGTERM', done);
  return {
    promise,
    dispose: () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
    },
  };
}

export const replicationRelayCommand: CliCommand = {
  path: ['replication', 'relay'],
  summary: "ship a bus's journal to its NATS JetStream stream until interrupted (the outbox)",
  usage: [
    'ringbus replication relay --data-dir D --servers URLS --bus NAME [--replicas N] [--report-ms MS]',
    '',
    '  --data-dir D     the bus data directory (its journal is read, never written)',
    '  --servers URLS   NATS server(s), comma-separated (127.0.0.1:4222)',
    '  --bus NAME       stream RINGBUS_<NAME>, subject ringbus.<NAME>.journal',
    '  --replicas N     stream replicas when the relay creates it (default 1)',
    '  --report-ms MS   print the relay metrics as one JSON line this often (default 1000)',
    '',
    'Stops on SIGINT/SIGTERM (exit 0) or on a replication error (exit 1).',
  ].join('\n'),
  options: {
    'data-dir': { type: 'string' },
    servers: { type: 'string' },
    bus: { type: 'string' },
    replicas: { type: 'string' },
    'report-ms': { type: 'string' },
  },
  async run(values, _positionals, io) {
    const relay = await JournalRelay.start({
      dataDir: requireString('data-dir', values['data-dir']),
      servers: servers(values),
      bus: bus(values),
      replicas: positive('replicas', values, 1),
    });
    const signal = untilSignal();
    const timer = setInterval(
      () => void writeOut(io.stdout, JSON.stringify(relay.metrics()) + '\n'),
      positive('report-ms', values, 1000),
    );
    try {
      await Promise.race([relay.done, signal.promise]);
      await relay.stop();
      await writeOut(io.stdout, JSON.stringify(relay.metrics()) + '\n');
      return 0;
    } finally {
      clearInterval(timer);
      signal.dispose();
    }
  },
};

export const replicationStatusCommand: CliCommand = {
  path: ['replication', 'status'],
  summary: "show a bus's stream (last sequence, replicas), lease holder and last published state hash",
  usage: [
    'ringbus replication status --servers URLS --bus NAME [--json]',
    '',
    '  --json   print { bus, stream, lastSequence, messages, bytes, replicas, streamLeader, lease, stateHash }',
    '           (lastSequence: the last journal sequence the stream holds, -1 when empty; lease: { owner, term, revision } or null;',
    '            stateHash: { sequence, hash } the leader last published, or null)',
  ].join('\n'),
  options: { servers: { type: 'string' }, bus: { type: 'string' }, json: { type: 'boolean' } },
  async run(values, _positionals, io) {
    const s = await replicationStatus(servers(values), bus(values));
    if (values.json === true) await writeOut(io.stdout, JSON.stringify(s) + '\n');
    else
      await writeOut(
        io.stdout,
        `stream ${s.stream}: ${s.messages} record(s) through sequence ${s.lastSequence}, ${s.replicas} replica(s)` +
          `${s.streamLeader ? `, led by ${s.streamLeader}` : ''}\n` +
          `lease: ${s.lease ? `${s.lease.owner} (term ${s.lease.term})` : 'nobody'}\n` +
          `state hash: ${s.stateHash ? `${s.stateHash.hash} at sequence ${s.stateHash.sequence}` : 'none published'}\n`,
      );
    return 0;
  },
};

export const standbyCommand: CliCommand = {
  path: ['standby'],
  summary:
    'run a hot standby of a bus (its handlers fed from the stream), check the state hash, take the lease when the leader dies',
  usage: [
    'ringbus standby --data-dir D --servers URLS --bus NAME [--owner ID] [--lease-ms MS] [--hash-check-ms MS] [--move-diverged]',
    '',
    '  --data-dir D         the standby bus data directory (the leader manifest.json, its journal, its snapshots)',
    '  --owner ID           name in the lease (default <hostname>:<pid>)',
    '  --lease-ms MS        lease duration (default 3000); takeover within lease-ms + 2 × lease-ms/10 of the last renewal',
    '  --hash-check-ms MS   compare the state hash with the leader-published one this often (default 5000)',
    '  --move-diverged      rename a local journal that is not a prefix of the stream to D.diverged-<ms> and start empty',
    '',
    'Runs the leader bus (rebuilt from its manifest) in follower mode, fed from the stream: its handlers keep the',
    'leader\'s state at every sequence applied. Prints one JSON line per event: {"event":"standby"|"hash-ok"|',
    '"hash-bad"|"promoted", ...}. On promotion it has applied the whole stream and holds the lease; it snapshots the',
    'live state, stops the bus, prints {"event":"promoted","term","lastSequence","snapshotSequence"} and exits 0: start',
    'the leader (the bus on D, recovering from that snapshot, and a relay) within lease-ms, and keep renewing the lease.',
  ].join('\n'),
  options: {
    'data-dir': { type: 'string' },
    servers: { type: 'string' },
    bus: { type: 'string' },
    owner: { type: 'string' },
    'lease-ms': { type: 'string' },
    'hash-check-ms': { type: 'string' },
    'move-diverged': { type: 'boolean' },
  },
  async run(values, _positionals, io) {
    const say = (o: object): void => void writeOut(io.stdout, JSON.stringify(o) + '\n');
    const standby = await Standby.start({
      dataDir: requireString('data-dir', values['data-dir']),
      servers: servers(values),
      bus: bus(values),
      owner: typeof values.owner === 'string' ? values.owner : `${hostname()}:${process.pid}`,
      leaseMs: positive('lease-ms', values, 3000),
      hashCheckMs: positive('hash-check-ms', values, 5000),
      onDiverged: values['move-diverged'] === true ? 'move-aside' : 'fail',
      onHashCheck: (r) =>
        say(r instanceof Error ? { event: 'hash-bad', message: r.message } : { event: 'hash-ok', ...r }),
    });
    say({ event: 'standby', appliedSequence: standby.appliedSequence(), movedAsideTo: standby.movedAsideTo });
    const signal = untilSignal();
    try {
      const won = await Promise.race([standby.promoted, signal.promise.then(() => null)]);
      if (won === null) {
        await standby.stop();
        return 0;
      }
      // hand over to the leader process: a snapshot of the live state, so its start() replays nothing
      const snapshot = await won.bus.snapshot();
      await won.bus.shutdown();
      won.lease.stopHeartbeat();
      say({ event: 'promoted', term: won.term, lastSequence: won.lastSequence, snapshotSequence: snapshot.sequence });
      await won.connection.close();
      return 0;
    } finally {
      signal.dispose();
    }
  },
};
