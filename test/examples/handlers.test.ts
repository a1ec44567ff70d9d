import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { demoOptions } from '../../examples/order-matching/config.js';
import { RiskEngine } from '../../examples/order-matching/RiskEngine.js';
import { MatchingEngine } from '../../examples/order-matching/MatchingEngine.js';
import { Portfolio } from '../../examples/order-matching/Portfolio.js';
import {
  MAX_FILLS,
  OrderCommand,
  RISK,
  STATUS,
  type OrderCommandFlyweight,
} from '../../examples/order-matching/events.js';
import type { OrderFlow } from '../../examples/order-matching/generator.js';
import type { AckSnapshot } from '../../examples/order-matching/handlers/ack.js';
import { Prng } from '../../examples/order-matching/Prng.js';
import { flowFor, Pipeline, results, SEED } from './harness.js';

const options = demoOptions();

/** Digest of every event's result fields, in order. */
class ResultLog {
  readonly #hash = createHash('sha256');
  count = 0;
  readonly add = (e: OrderCommandFlyweight): void => {
    this.#hash.update(JSON.stringify(results(e)));
    this.count++;
  };
  digest(): string {
    return this.#hash.digest('hex');
  }
}

function skip(flow: OrderFlow, n: number): OrderFlow {
  const scratch = { command: 0, orderId: 0, accountId: 0, symbolId: 0, side: 0, price: 0, qty: 0 };
  for (let i = 0; i < n; i++) flow.next(scratch);
  return flow;
}

describe('order-matching handler modules over a real ring', () => {
  it('should give the same results and state as the domain classes driven directly', () => {
    const n = 20_000;
    const pipeline = new Pipeline(options, 256);
    const viaRing = new ResultLog();
    pipeline.run(flowFor(SEED, options), n, viaRing.add);

    const risk = new RiskEngine(options);
    const engine = new MatchingEngine(options);
    const portfolio = new Portfolio(options);
    const direct = new ResultLog();
    const flow = flowFor(SEED, options);
    const slot = Object.assign(
      { command: 0, orderId: 0, accountId: 0, symbolId: 0, side: 0, price: 0, qty: 0 },
      { riskResult: 0, status: 0, fillCount: 0, filledQty: 0, fillNotional: 0, cancelledQty: 0 },
    ) as never as OrderCommandFlyweight;
    for (let i = 0; i < MAX_FILLS; i++)
      Object.assign(slot, { [`makerAccount${i}`]: 0, [`makerOrder${i}`]: 0, [`fillQty${i}`]: 0, [`fillPrice${i}`]: 0 });
    for (let i = 0; i < n; i++) {
      flow.next(slot);
      slot.riskResult = risk.check(
        slot.command,
        slot.orderId,
        slot.accountId,
        slot.symbolId,
        slot.side,
        slot.price,
        slot.qty,
      );
      engine.processSlot(slot);
      portfolio.processSlot(slot);
      direct.add(slot);
    }
    assert.equal(viaRing.count, n);
    assert.equal(viaRing.digest(), direct.digest(), `seed ${SEED}`);
    const h = pipeline.hashes();
    assert.equal(h.risk, risk.stateHash());
    assert.equal(h.matching, engine.stateHash());
    assert.equal(h.portfolio, portfolio.stateHash());
  });

  it('should ignore stale bytes in the result fields of a reused or replayed slot', () => {
    const n = 5_000;
    const clean = new Pipeline(options, 64);
    const cleanLog = new ResultLog();
    clean.run(flowFor(SEED, options), n, cleanLog.add);

    // every slot is published with garbage in every result field before the inputs are written
    const dirty = new Pipeline(options, 64);
    const dirtyLog = new ResultLog();
    const flow = flowFor(SEED, options);
    const junk = new Prng(SEED ^ 0xdead);
    const resultFields = OrderCommand.fields.filter((f) => f.transient).map((f) => f.name);
    // the first pipeline's 6 + 4 × MAX_FILLS, and the exchange handler's reason, leavesQty, tradeCount
    assert.equal(resultFields.length, 6 + 4 * MAX_FILLS + 3);
    const translator = (event: OrderCommandFlyweight, _seq: number, f: OrderFlow) => {
      for (const name of resultFields)
        event[name] =
          name === 'fillCount' || name === 'riskResult' || name === 'status' || name === 'reason'
            ? junk.int(256)
            : junk.nextU32();
      f.next(event);
    };
    for (let i = 0; i < n; i++) {
      dirty.ring.publishWith(translator, flow);
      if (i % 16 === 15) dirty.drain(dirtyLog.add);
    }
    dirty.drain(dirtyLog.add);
    assert.equal(dirtyLog.digest(), cleanLog.digest(), `seed ${SEED}`);
    assert.deepEqual(dirty.hashes(), clean.hashes());
  });

  it('should continue identically after snapshot and restore into fresh handlers', () => {
    const before = 15_000;
    const after = 15_000;
    const live = new Pipeline(options, 256);
    const flow = flowFor(SEED, options);
    live.run(flow, before);
    const snapshots = live.snapshots();
    const hashesAtSnapshot = live.hashes();
    const liveLog = new ResultLog();
    live.run(flow, after, liveLog.add);

    const recovered = new Pipeline(options, 256);
    assert.notDeepEqual(recovered.hashes(), hashesAtSnapshot);
    recovered.restore(snapshots);
    assert.deepEqual(recovered.hashes(), hashesAtSnapshot, 'restored state hashes equal the live ones at the snapshot');
    const recoveredLog = new ResultLog();
    recovered.run(skip(flowFor(SEED, options), before), after, recoveredLog.add);
    assert.equal(recoveredLog.digest(), liveLog.digest(), `seed ${SEED}: same results after restore`);
    const live2 = live.hashes();
    const rec2 = recovered.hashes();
    // the ack stage records sequences, which differ between the two rings; everything else must match
    assert.deepEqual({ ...rec2, ack: '' }, { ...live2, ack: '' });
    assert.notDeepEqual({ ...live2, ack: '' }, { ...hashesAtSnapshot, ack: '' });
  });

  it('should be deterministic: the same seed gives the same state, another seed another', () => {
    const run = (seed: number) => {
      const p = new Pipeline(options, 128);
      p.run(flowFor(seed, options), 10_000);
      return p.hashes();
    };
    const a = run(SEED);
    assert.deepEqual(run(SEED), a, `seed ${SEED}`);
    const b = run(SEED + 1);
    assert.notEqual(b.matching, a.matching);
    assert.notEqual(b.portfolio, a.portfolio);
    assert.notEqual(b.risk, a.risk);
  });

  it('should count acknowledgements by outcome up to the last sequence', () => {
    const p = new Pipeline(options, 128);
    let filled = 0;
    let rejected = 0;
    p.run(flowFor(SEED, options), 3_000, (e) => {
      if (e.status === STATUS.FILLED) filled++;
      if (e.riskResult !== RISK.ACCEPTED) rejected++;
    });
    const ack = p.stages.ack.snapshot!() as AckSnapshot;
    assert.equal(ack.lastSequence, p.ring.getCursor());
    assert.equal(ack.accepted + ack.rejected, 3_000);
    assert.equal(ack.rejected, rejected);
    assert.ok(rejected > 0 && filled > 0, `seed ${SEED}: the flow should fill and reject`);
    assert.equal(ack.filled, filled);
    assert.equal(
      ack.byStatus.reduce((x, y) => x + y, 0),
      3_000,
    );
    assert.equal(ack.byStatus[STATUS.REJECTED], rejected);
  });
});
