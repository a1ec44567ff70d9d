/**
 * The relay's publish path: pubAck.ts reads the answers a real nats-server sends to a publish's
 * reply subject (stored, de-duplicated, refused by the expected last sequence, no stream at all),
 * and PublishWindow hands outcomes to the relay strictly from the oldest publish, ignoring answers
 * for sequences it does not hold (late, repeated, or of an abandoned run).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createInbox, headers, type Msg } from 'nats';
import { PublishWindow, type StreamAck } from '../../src/replication/PublishWindow.js';
import { parsePubAck } from '../../src/replication/pubAck.js';
import { ensureStream } from '../../src/replication/stream.js';
import { busStreamNames } from '../../src/replication/streamNames.js';
import { startNatsServer, stopAllNatsServers } from '../helpers/natsServer.js';
import { within } from './helpers.js';

after(stopAllNatsServers);

describe('publish answers (pubAck)', () => {
  it('should read a real server ack, duplicate, refusal and no-responders answer', async () => {
    const server = await startNatsServer();
    const nc = await connect({ servers: server.url });
    try {
      const names = busStreamNames('pa');
      await ensureStream(await nc.jetstreamManager(), names, 1);
      const inbox = createInbox();
      const answers = new Map<string, Msg>();
      let arrived: () => void = () => undefined;
      nc.subscribe(`${inbox}.>`, {
        callback: (_err, msg) => {
          answers.set(msg.subject.slice(inbox.length + 1), msg);
          arrived();
        },
      });
      const send = (subject: string, tag: string, msgId: string, lastSequence: number): Promise<Msg> => {
        const got = new Promise<void>((resolve) => (arrived = resolve));
        const h = headers();
        h.set('Nats-Msg-Id', msgId);
        h.set('Nats-Expected-Last-Sequence', String(lastSequence));
        nc.publish(subject, new Uint8Array([1, 2, 3]), { reply: `${inbox}.${tag}`, headers: h });
        return within(
          got.then(() => answers.get(tag)!),
          5000,
          `the answer to ${tag}`,
        );
      };

      const stored = parsePubAck(await send(names.subject, 'stored', '0', 0), names.stream);
      assert.deepEqual(stored, { seq: 1, duplicate: false } satisfies StreamAck);
      const duplicate = parsePubAck(await send(names.subject, 'dup', '0', 0), names.stream);
      assert.deepEqual(duplicate, { seq: 1, duplicate: true } satisfies StreamAck);
      const refused = parsePubAck(await send(names.subject, 'refused', '5', 5), names.stream);
      assert.ok(refused instanceof Error, 'a wrong expected last sequence is refused');
      assert.match(refused.message, /publish refused: .*last sequence.*err_code 10071/i);
      const nobody = parsePubAck(await send('nobody.listens.here', 'nobody', '0', 0), names.stream);
      assert.ok(nobody instanceof Error, 'no stream on the subject');
      assert.match(nobody.message, /no responders \(NATS 503\)/);
      const otherStream = parsePubAck(await send(names.subject, 'other', '1', 1), 'RINGBUS_OTHER');
      assert.ok(otherStream instanceof Error, "another stream's ack is not ours");
    } finally {
      await nc.close();
    }
  });
});

describe('PublishWindow', () => {
  const body = (n: number): Uint8Array => new Uint8Array([n]);
  const ack = (seq: number): StreamAck => ({ seq, duplicate: false });

  it('should wake its waiter only when the oldest publish settles, and ignore answers it does not hold', async () => {
    const w = new PublishWindow(4, 10);
    for (let i = 0; i < 4; i++) w.push(body(i), 100 + i);
    assert.equal(w.free, 0);
    assert.equal(w.nextSequence, 14);
    let woke = false;
    const waiting = w.oldestSettled().then(() => (woke = true));
    assert.equal(w.settle(12, ack(13), null), 102, 'a younger ack is recorded (returns when it was sent)');
    assert.equal(w.settle(9, ack(10), null), -1, 'before the window: ignored');
    assert.equal(w.settle(14, ack(15), null), -1, 'after the window: ignored');
    assert.equal(w.settle(12, null, new Error('late')), -1, 'a second answer for a settled publish: ignored');
    await Promise.resolve();
    assert.equal(woke, false, 'the oldest has no answer yet');
    assert.equal(w.oldestIsSettled(), false);
    const refused = new Error('refused');
    assert.equal(w.settle(10, null, refused), 100);
    await waiting;
    assert.equal(woke, true);
    assert.equal(w.oldestAck(), null);
    assert.equal(w.oldestFailure(), refused);
    assert.deepEqual(w.oldestBody(), body(0));

    w.shift();
    assert.equal(w.oldestSequence, 11);
    assert.equal(w.oldestIsSettled(), false);
    assert.equal(w.settle(11, ack(12), null), 101);
    w.shift();
    assert.equal(w.oldestSequence, 12);
    assert.deepEqual(w.oldestAck(), ack(13), 'the younger ack recorded earlier is now the oldest');
    w.push(body(4), 104); // the ring wraps into the freed slots
    w.push(body(5), 105);
    assert.equal(w.nextSequence, 16);
    assert.equal(w.settle(15, ack(16), null), 105);
    w.shift();
    w.shift();
    w.shift();
    assert.equal(w.oldestSequence, 15);
    assert.deepEqual(w.oldestBody(), body(5));
    assert.deepEqual(w.oldestAck(), ack(16));
    w.shift();
    assert.equal(w.size, 0);
    assert.equal(w.oldestIsSettled(), false, 'an empty window has nothing settled');
  });
});
