/**
 * ringbus public API.
 */
export * from './errors.js';
export {
  RingBuffer,
  type RingBufferOptions,
  type RingDescriptor,
  type ProducerType,
  type EventTranslator,
} from './core/RingBuffer.js';
export { Sequence } from './core/Sequence.js';
export { Sequencer } from './core/Sequencer.js';
export { SingleProducerSequencer } from './core/SingleProducerSequencer.js';
export { MultiProducerSequencer } from './core/MultiProducerSequencer.js';
export { SequenceBarrier } from './core/SequenceBarrier.js';
export { ALERTED, TIMED_OUT, INSUFFICIENT_CAPACITY, fromWord, toWord, MAX_SEQUENCE } from './core/sequenceMath.js';
export {
  type WaitStrategy,
  type WaitStrategyOptions,
  type WaitStrategyType,
  type WaitChannel,
  type WaitCondition,
  setYieldFunction,
  yieldThread,
} from './core/WaitStrategy.js';
export { createWaitStrategy } from './core/createWaitStrategy.js';
export { BusySpinWaitStrategy } from './core/BusySpinWaitStrategy.js';
export { YieldingWaitStrategy } from './core/YieldingWaitStrategy.js';
export { SleepingWaitStrategy } from './core/SleepingWaitStrategy.js';
export { BlockingWaitStrategy } from './core/BlockingWaitStrategy.js';
export { PhasedBackoffWaitStrategy } from './core/PhasedBackoffWaitStrategy.js';
export {
  defineEvent,
  type EventType,
  type EventDefinition,
  type Flyweight,
  type FieldLayout,
  type FieldsInput,
} from './schema/defineEvent.js';
export type { FieldSpec, FieldType, ScalarFieldType } from './schema/fieldTypes.js';
export {
  KIND_EVENT,
  KIND_VOID,
  KIND_CONTROL,
  MAX_CAPACITY,
  MAX_SEQUENCES,
  SLOT_HEADER_BYTES,
} from './layout/RingBufferDescriptor.js';
export {
  defineHandler,
  type EventHandler,
  type HandlerContext,
  type HandlerFactory,
  type HandlerModule,
  type OutboundPublisher,
  type CrossRingGateView,
} from './processing/Handler.js';
export type {
  ExceptionPolicyOption,
  ExceptionPolicyFunction,
  ExceptionDecision,
} from './processing/ExceptionPolicy.js';
export { RingBus, DEFAULT_WORKER, type RingBusOptions } from './topology/RingBus.js';
export { BusGroup, type GroupPlacement } from './topology/BusGroup.js';
export { BusFollower, type FollowedRecord } from './topology/BusFollower.js';
export type { StateHashResult } from './topology/BusRuntime.js';
export { EventHandlerGroup } from './topology/EventHandlerGroup.js';
export { HandlerRef, type HandlerOptions, type HandlerSpec } from './topology/HandlerRef.js';
export { ProgressLineRef, type ProgressLineOptions, type ProgressLineDescriptor } from './topology/progressLines.js';
export { ProgressLineWriter } from './topology/ProgressLineWriter.js';
export { BusPublisher, type PublisherDescriptor } from './topology/BusPublisher.js';
export type { WorkerOptions, PlacementReport } from './topology/placement.js';
export type { BusMetrics, HandlerMetrics } from './metrics/BusMetrics.js';
export type { Percentiles } from './metrics/histograms.js';
export { measureHiccups, hiccupNote, type HiccupInfo } from './metrics/HiccupMeter.js';
export {
  nativeStatus,
  pinCurrentThread,
  currentCpu,
  installNativeClock,
  installNativeYield,
  type NativeStatus,
  type PinResult,
} from './native/index.js';
export { nativeClockInstalled } from './core/clock.js';
import { installNativeClock, installNativeYield } from './native/index.js';

// With the optional addon present, stamp events with its allocation-free clock and yield with
// sched_yield in the importing thread (workers of the bus do the same). RINGBUS_NATIVE=0 turns it off.
installNativeClock();
installNativeYield();
export { replayDeadLetters, type DeadLetterReplayResult } from './topology/replayDeadLetters.js';
export { readDeadLetters, type DeadLetter } from './persistence/DeadLetterWriter.js';
export type { PersistenceOptions, RecoveryPlan } from './topology/BusPersistence.js';
export type { CapturedState } from './topology/StateCollector.js';
export {
  parseFsyncPolicy,
  parseFsyncFlag,
  describeFsyncPolicy,
  type FsyncPolicy,
  type ParsedFsyncPolicy,
} from './persistence/fsyncPolicy.js';
export { JournalReader, type Upcaster } from './persistence/JournalReader.js';
export { verifyJournal, type JournalVerifyResult } from './persistence/verifyJournal.js';
export { hashState, combineStateHashes } from './persistence/stateHash.js';
