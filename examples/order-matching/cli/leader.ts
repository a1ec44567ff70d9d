/**
 * `--replicate`: the program as the replication leader of its bus (docs/replication.md).
 *
 *   producer ─▶ COMMANDS RING (journal in D) ──▶ exchange ──▶ ack (after the replicated line in 'sync')
 *                  │ BusReplication: stream RINGBUS_<BUS>        │ execution reports (outbound 'reports')
 *                  ▼                                             ▼
 *               standbys (`ringbus standby`)          REPORTS RING (journal only, in D/reports)
 *                                                        │ BusReplication ('async'): stream of <bus>-reports
 *                                                        ▼
 *                                                     read models (`ringbus read-model`)
 *
 * Before the bus starts it takes the lease (`<bus>.leader`: acquired, or with --term adopted from a
 * promoted standby) and renews it on a heartbeat; a lost lease halts both rings. The reports
 * ring has no stages but its journal (a journal-only worker blocks, so it adds no spinning
 * thread on a 2-core machine); its replication is 'async' (its lag bounded at 4096 reports), since
 * nothing acknowledges after it. Before it starts, its journal in D/reports catches up with the
 * reports stream (JournalMirror; a local tail the stream lacks, a deposed leader's, is moved aside
 * to D/reports.diverged-<ms>): a promoted standby's data directory has no reports journal yet, and
 * its relay must continue the stream, not start it again. The exchange publishes no reports while
 * recovery replays the journal (they were made when the command first ran), so the reports of
 * commands a previous leader journaled but whose reports it had not replicated are not made again:
 * after a failover a read model can miss those (at most the reports of the commands in flight).
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from 'nats';
import { BusGroup, RingBus, RingbusError, type HandlerRef } from '../../../src/index.js';
import { BusReplication, type BusReplicationMetrics } from '../../../src/replication/BusReplication.js';
import { JournalMirror } from '../../../src/replication/JournalMirror.js';
import { LeaderLease } from '../../../src/replication/LeaderLease.js';
import { replicationStatus } from '../../../src/replication/replicationStatus.js';
import { connectNats } from '../../../src/replication/stream.js';
import { ExecutionReportEvent } from '../exchange/reportEvent.js';
import type { ReplicateArgs } from './args.js';

/** The outbound ring name the exchange publishes its reports to. */
export const REPORTS_RING = 'reports';

export interface LeaderReport {
  readonly bus: string;
  readonly reportsBus: string;
  readonly mode: 'sync' | 'async';
  readonly owner: string;
  readonly term: number;
  readonly commands: BusReplicationMetrics;
  readonly reports: BusReplicationMetrics;
  /** The state hash last published for standbys. */
  readonly stateHash: { sequence: number; hash: string } | null;
}

export class Leader {
  readonly args: ReplicateArgs;
  readonly reportsBus: RingBus;
  readonly #nc: NatsConnection;
  readonly #lease: LeaderLease;
  readonly #group = new BusGroup();
  #commands: BusReplication | null = null;
  readonly #reports: BusReplication;
  #lost: Error | null = null;

  private constructor(args: ReplicateArgs, dataDir: string, capacity: number, nc: NatsConnection, lease: LeaderLease) {
    this.args = args;
    this.#nc = nc;
    this.#lease = lease;
    this.reportsBus = new RingBus({
      event: ExecutionReportEvent,
      capacity,
      workers: { reports: {} },
      // multi: the exchange handler publishes reports, and the main thread its control events
      producerType: 'multi',
      producerLabel: 'exchange handler',
      persistence: { dataDir: join(dataDir, 'reports'), fsync: 'batch', worker: 'reports' },
    });
    this.#reports = BusReplication.attach(this.reportsBus, {
      servers: args.servers,
      bus: `${args.bus}-reports`,
      mode: 'async',
    });
  }

  /** Connects and takes the lease (adopts --term, else acquires it within 3 × lease-ms). */
  static async take(args: ReplicateArgs, dataDir: string, capacity: number): Promise<Leader> {
    const nc = await connectNats(args.servers, `order-matching-leader-${args.bus}`);
    try {
      const owner = args.owner ?? `${hostname()}:${process.pid}`;
      const lease = await LeaderLease.open(nc, { bus: args.bus, owner, leaseMs: args.leaseMs });
      if (args.term !== null) await lease.adopt(args.term);
      else {
        try {
          await lease.acquire(AbortSignal.timeout(3 * args.leaseMs));
        } catch {
          const h = await lease.holder();
          throw new RingbusError(
            'RINGBUS_ERR_REPLICATION_FENCED',
            `the lease of bus ${args.bus} is held by ${h?.owner ?? 'nobody'} (term ${h?.term ?? 0}) and renewed: ` +
              'run this data directory as a standby (ringbus standby), or adopt a promoted term with --term',
          );
        }
      }
      await catchUpReports(args, join(dataDir, 'reports'));
      const leader = new Leader(args, dataDir, capacity, nc, lease);
      lease.startHeartbeat((err) => leader.#loseLease(err));
      return leader;
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  /** For buildOrderMatchingStages' ackAfter: attaches replication to the commands bus; ack waits for its line in 'sync' mode. */
  attach(commands: RingBus): HandlerRef {
    const replication = BusReplication.attach(commands, {
      servers: this.args.servers,
      bus: this.args.bus,
      mode: this.args.mode,
      ...(this.args.stateHashMs > 0 ? { stateHashEveryMs: this.args.stateHashMs } : {}),
    });
    this.#commands = replication;
    return this.args.mode === 'sync' ? replication.line : commands.journal;
  }

  get commands(): BusReplication {
    if (this.#commands === null) throw new Error('internal: Leader.attach() was not called');
    return this.#commands;
  }

  /** Links the commands bus to the reports ring and starts both (reports first, then commands, which recovers). */
  async start(commands: RingBus): Promise<void> {
    this.#group.add('commands', commands);
    this.#group.add(REPORTS_RING, this.reportsBus);
    this.#group.outbound(commands, REPORTS_RING, this.reportsBus);
    await this.#group.start();
  }

  /**
   * After the commands ring drained: drains the reports ring, waits until both streams hold every
   * event (bounded), and publishes the final state hash. Returns it.
   */
  async finish(timeoutMs: number): Promise<{ sequence: number; hash: string }> {
    this.#throwIfLost();
    await this.reportsBus.drain({ timeoutMs });
    await this.#reports.waitForReplicated(this.reportsBus.ring.getCursor(), timeoutMs);
    const published = await this.commands.publishStateHash();
    if (published === null) throw this.#lost ?? new RingbusError('RINGBUS_ERR_BUS_STATE', 'the bus stopped running');
    return published;
  }

  async report(): Promise<LeaderReport> {
    return {
      bus: this.args.bus,
      reportsBus: `${this.args.bus}-reports`,
      mode: this.args.mode,
      owner: this.#lease.owner,
      term: this.#lease.term(),
      commands: await this.commands.metrics(),
      reports: await this.#reports.metrics(),
      stateHash: this.commands.publishedStateHash,
    };
  }

  /** Shuts both rings down (replication ends with them, after shipping the journals), stops renewing the lease. */
  async close(timeoutMs: number): Promise<void> {
    try {
      await this.#group.shutdown({ timeoutMs });
    } finally {
      await Promise.all([this.#commands?.stop(), this.#reports.stop()]);
      this.#lease.stopHeartbeat();
      await this.#nc.close().catch(() => undefined);
    }
  }

  /** Another process took the lease: stop making decisions at once. */
  #loseLease(err: Error): void {
    this.#lost = err;
    void this.#group.halt();
  }

  #throwIfLost(): void {
    if (this.#lost !== null) throw this.#lost;
  }
}

/** Brings the reports journal in `dir` up to the reports stream's last record (nothing to do before the first run). */
async function catchUpReports(args: ReplicateArgs, dir: string): Promise<void> {
  const bus = `${args.bus}-reports`;
  let last: number;
  try {
    last = (await replicationStatus(args.servers, bus)).lastSequence;
  } catch (error) {
    if (/stream not found/i.test((error as Error).message)) return;
    throw error;
  }
  if (last < 0) return;
  const mirror = await JournalMirror.start({ dataDir: dir, servers: args.servers, bus, onDiverged: 'move-aside' });
  try {
    await Promise.race([mirror.waitForApplied(last), mirror.done]);
  } finally {
    await mirror.stop();
  }
}
