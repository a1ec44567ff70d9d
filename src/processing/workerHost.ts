/**
 * Entry point of a handler worker thread (started by the supervisor with a WorkerInit as
 * workerData). Loads the handler modules placed on this worker, pins the thread when asked,
 * restores state during recovery, then runs the WorkerLoop until the bus stops or halts.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { RingBuffer } from '../core/RingBuffer.js';
import { createWaitStrategy } from '../core/createWaitStrategy.js';
import { RingbusError } from '../errors.js';
import {
  CONTROL_SNAPSHOT,
  CONTROL_STATE_HASH,
  type HandlerInit,
  type PlacementResult,
  type SerializedError,
  type WorkerInit,
  type WorkerMessage,
} from '../runtime/protocol.js';
import { HALT_HANDLER_FAILED, WORKER_FAILED, WORKER_RUNNING, WORKER_STOPPED } from '../layout/BusStatusDescriptor.js';
import { HandlerMetricsRecorder } from '../metrics/HandlerMetricsRecorder.js';
import { BatchEventProcessor, type ProcessorHooks } from './BatchEventProcessor.js';
import { BusStatus } from '../runtime/BusStatus.js';
import { describeError, type ExceptionPolicyFunction } from './ExceptionPolicy.js';
import type { EventHandler, HandlerContext, HandlerModule } from './Handler.js';
import { WorkerLoop } from './WorkerLoop.js';
import { CrossRingGate } from './CrossRingGate.js';
import { OutboundRing } from './OutboundRing.js';
import type { DeadLetterSink } from './deadLetters.js';
import { pinForWorker } from './pinning.js';
import { hashState as defaultStateHash } from '../persistence/stateHash.js';
import type { Flyweight } from '../schema/defineEvent.js';

const init = workerData as WorkerInit;
const port = init.port as MessagePort;
const post = (m: WorkerMessage): void => port.postMessage(m);

function serialize(error: unknown): SerializedError {
  const d = describeError(error);
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? { ...d, code } : d;
}

async function loadHandler(h: HandlerInit): Promise<HandlerModule> {
  let mod: { default?: unknown };
  try {
    mod = (await import(h.moduleUrl)) as { default?: unknown };
  } catch (cause) {
    throw new RingbusError(
      'RINGBUS_ERR_HANDLER_MODULE',
      `handler '${h.name}': cannot load module ${h.moduleUrl}: ${describeError(cause).message}`,
      { cause },
    );
  }
  const m = mod.default as HandlerModule | undefined;
  if (!m || m.kind !== 'ringbus-handler' || typeof m.factory !== 'function') {
    throw new RingbusError(
      'RINGBUS_ERR_HANDLER_MODULE',
      `handler '${h.name}': module ${h.moduleUrl} must export default defineHandler(factory)`,
    );
  }
  return m;
}

async function loadPolicy(h: HandlerInit): Promise<ExceptionPolicyFunction | null> {
  if (h.policy.type !== 'custom') return null;
  const mod = (await import(h.policy.module)) as Record<string, unknown>;
  const fn = mod[h.policy.export];
  if (typeof fn !== 'function') {
    throw new RingbusError(
      'RINGBUS_ERR_HANDLER_MODULE',
      `handler '${h.name}': exception policy module ${h.policy.module} has no function export '${h.policy.export}'`,
    );
  }
  return fn as ExceptionPolicyFunction;
}

/** Opens a handler's dead-letter file (persistence is loaded only by workers that need it). */
async function openSink(h: HandlerInit): Promise<DeadLetterSink> {
  const { openDeadLetterSink } = await import('./deadLetters.js');
  try {
    return openDeadLetterSink(h.deadLetterPath!);
  } catch (cause) {
    throw new RingbusError(
      'RINGBUS_ERR_HANDLER_FAILED',
      `handler '${h.name}': cannot open its dead-letter file ${h.deadLetterPath}: ${describeError(cause).message}`,
      { cause },
    );
  }
}

async function main(): Promise<void> {
  const status = new BusStatus(init.status);
  const strategy = createWaitStrategy(init.waitStrategy);
  const ring = RingBuffer.attach(init.ring, init.waitStrategy);
  const outbound = new Map<string, OutboundRing>();
  const gates: (CrossRingGate | null)[] = [];
  let placement: PlacementResult;
  const handlers: EventHandler[] = [];
  const policies: (ExceptionPolicyFunction | null)[] = [];
  const sinks: (DeadLetterSink | null)[] = [];
  try {
    placement = await pinForWorker(init.cpus);
    for (const h of init.handlers) {
      const mod = await loadHandler(h);
      policies.push(await loadPolicy(h));
      const gate = h.gate ? new CrossRingGate(h.gate, ring.flyweight()) : null;
      gates.push(gate);
      const context: HandlerContext = {
        name: h.name,
        workerName: init.workerName,
        options: h.options,
        ring: ring as RingBuffer<Flyweight>,
        isReplay: (sequence: number) => sequence <= status.replayUntil(),
        outbound<F extends Flyweight>(ringName: string) {
          let r = outbound.get(ringName);
          if (!r) {
            const d = init.outbound[ringName];
            if (!d)
              throw new RingbusError(
                'RINGBUS_ERR_TOPOLOGY',
                `handler '${h.name}': no outbound ring named '${ringName}' (declared: ${Object.keys(init.outbound).join(', ') || 'none'})`,
              );
            r = new OutboundRing(ringName, d);
            outbound.set(ringName, r);
          }
          return r as unknown as OutboundRing<F>;
        },
        gate: gate && {
          ring: gate.ringName,
          upstream: gate.upstream,
          field: gate.field,
          upstreamSequence: () => gate.upstreamSequence(),
        },
      };
      const handler = mod.factory(context);
      if (!handler || typeof handler.onEvent !== 'function') {
        throw new RingbusError(
          'RINGBUS_ERR_HANDLER_MODULE',
          `handler '${h.name}': the factory in ${h.moduleUrl} must return an object with onEvent(event, sequence, endOfBatch)`,
        );
      }
      if (h.hasRestore) {
        if (typeof handler.restore !== 'function')
          throw new RingbusError(
            'RINGBUS_ERR_RECOVERY',
            `handler '${h.name}' has a snapshot to restore but no restore(state) method`,
          );
        handler.restore(h.restoreState);
      }
      handlers.push(handler);
      // loaded only when needed: persistence stays out of workers that do not use it
      sinks.push(h.deadLetterPath ? await openSink(h) : null);
    }
    for (let i = 0; i < handlers.length; i++) {
      try {
        await handlers[i]!.onStart?.();
      } catch (cause) {
        throw new RingbusError(
          'RINGBUS_ERR_HANDLER_FAILED',
          `handler '${init.handlers[i]!.name}': onStart failed: ${describeError(cause).message}`,
          { cause },
        );
      }
    }
  } catch (error) {
    status.setWorkerState(init.workerIndex, WORKER_FAILED);
    post({ type: 'start-failed', workerIndex: init.workerIndex, error: serialize(error) });
    port.close();
    return;
  }

  const hooks: ProcessorHooks = {
    onHandlerError(p, error, sequence, event) {
      const i = init.handlers.findIndex((h) => h.index === p.index);
      const h = init.handlers[i]!;
      let decision: 'halt' | 'skip' = h.policy.type === 'skip' ? 'skip' : 'halt';
      const custom = policies[i];
      if (custom) {
        try {
          decision = custom(error, sequence, h.name, event) === 'skip' ? 'skip' : 'halt';
        } catch (policyError) {
          error = new RingbusError(
            'RINGBUS_ERR_HANDLER_FAILED',
            `exception policy of '${h.name}' threw: ${describeError(policyError).message}`,
            { cause: error },
          );
          decision = 'halt';
        }
      }
      const d = describeError(error);
      if (decision === 'skip') {
        try {
          sinks[i]?.append(sequence, h.name, d.message, d.stack, event);
          return true;
        } catch (dlError) {
          error = new RingbusError(
            'RINGBUS_ERR_HANDLER_FAILED',
            `dead-letter write for '${h.name}' failed: ${describeError(dlError).message}`,
            { cause: error },
          );
        }
      }
      const message = `handler '${h.name}' (worker '${init.workerName}') failed at sequence ${sequence}: ${describeError(error).message}\n${describeError(error).stack}`;
      if (status.tryHalt(HALT_HANDLER_FAILED, init.workerIndex, h.index, sequence, message))
        ring.halt(HALT_HANDLER_FAILED);
      return false;
    },
    onControl(p, sequence, code) {
      const handler = p.handler;
      if (code === CONTROL_SNAPSHOT && typeof handler.snapshot === 'function') {
        const state = handler.snapshot();
        post({
          type: 'snapshot',
          workerIndex: init.workerIndex,
          handler: p.name,
          sequence,
          state,
          stateHash: hashOf(handler, state),
        });
      } else if (code === CONTROL_STATE_HASH) {
        post({
          type: 'state-hash',
          workerIndex: init.workerIndex,
          requestId: sequence,
          hashes: { [p.name]: hashOf(handler) },
        });
      }
    },
  };

  const recorders = init.handlers.map((h) => (init.metrics ? new HandlerMetricsRecorder(h.name) : null));
  const processors = init.handlers.map((h, i) => {
    const sequence = ring.attachSequence(h.sequenceLine);
    const barrier = ring.newBarrier(...h.dependsOnLines.map((line) => ring.attachSequence(line)));
    const gate = gates[i]!;
    return new BatchEventProcessor(h.name, h.index, ring, sequence, barrier, handlers[i]!, hooks, recorders[i]!, gate);
  });
  const loop = new WorkerLoop(processors, ring, status, strategy, ring.consumerWaitChannel(), (requestId) => {
    post({
      type: 'metrics',
      workerIndex: init.workerIndex,
      requestId,
      handlers: recorders.map(
        (r, i) => r?.report() ?? { name: init.handlers[i]!.name, events: 0, batches: 0, latency: '', batchSizes: '' },
      ),
    });
  });
  status.setWorkerState(init.workerIndex, WORKER_RUNNING);
  post({
    type: 'ready',
    workerIndex: init.workerIndex,
    placement,
    stateful: init.handlers.filter((_, i) => typeof handlers[i]!.snapshot === 'function').map((h) => h.name),
    all: init.handlers.map((h) => h.name),
    snapshotSchemas: Object.fromEntries(
      init.handlers.flatMap((h, i) => (handlers[i]!.snapshotSchema ? [[h.name, handlers[i]!.snapshotSchema!]] : [])),
    ),
  });

  // give the event loop one turn so 'ready' leaves before the synchronous loop starts
  await new Promise((resolve) => setImmediate(resolve));
  const exit = loop.run();

  const shutdownErrors: SerializedError[] = [];
  for (let i = 0; i < handlers.length; i++) {
    try {
      await handlers[i]!.onShutdown?.();
    } catch (error) {
      const e = serialize(error);
      shutdownErrors.push({
        ...e,
        message: `handler '${init.handlers[i]!.name}' (worker '${init.workerName}'): ${e.message}`,
      });
    }
  }
  for (const sink of sinks) sink?.close();
  const failedHere = processors.some((p) => p.halted);
  status.setWorkerState(init.workerIndex, failedHere ? WORKER_FAILED : WORKER_STOPPED);
  post({ type: 'stopped', workerIndex: init.workerIndex, halted: exit === 'halted', shutdownErrors });
  port.close();
}

function hashOf(handler: EventHandler, state?: unknown): string | null {
  if (typeof handler.stateHash === 'function') return handler.stateHash();
  if (typeof handler.snapshot === 'function') return defaultStateHash(state === undefined ? handler.snapshot() : state);
  return null;
}

main().catch((error) => {
  // Anything escaping main is a bug in the host: make the worker die loudly so the supervisor halts the bus.
  setImmediate(() => {
    throw error;
  });
});
