/**
 * Option checks of `new RingBus(options)` and start() failures, as docs/errors.md documents
 * them: each case asserts the code, the class and the message.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RingBus, RingbusError, RingbusRangeError, RingbusTypeError } from '../../src/index.js';
import { codedAs } from '../helpers/assertions.js';
import { TestEvent } from './fixtures/events.js';

const FAILING_START = new URL('./fixtures/failingStart.js', import.meta.url);

describe('RingBus options', () => {
  it('should refuse a capacity of the wrong type with INVALID_OPTION (TypeError) and take the default when it is left out', async () => {
    assert.throws(
      () => new RingBus({ event: TestEvent, capacity: '1024' as unknown as number }),
      codedAs(
        RingbusTypeError,
        'RINGBUS_ERR_INVALID_OPTION',
        /^capacity must be a number \(a power of two in \[2, \d+\]\), got "1024"$/,
      ),
    );
    const bus = new RingBus({ event: TestEvent, capacity: undefined });
    bus.handleEventsWith(bus.handler('a', FAILING_START));
    await bus.shutdown();
  });

  it('should refuse workers that are not an object', () => {
    for (const workers of [5, 'w', [], null])
      assert.throws(
        () => new RingBus({ event: TestEvent, workers: workers as never }),
        codedAs(
          RingbusTypeError,
          'RINGBUS_ERR_INVALID_OPTION',
          /^options\.workers must be an object \{ \[workerName\]: WorkerOptions \}, got /,
        ),
      );
  });

  it('should refuse a bad persistence.segmentBytes in the constructor with its own code', () => {
    for (const segmentBytes of [-1, 0, 1000, 4.5, '65536'])
      assert.throws(
        () =>
          new RingBus({
            event: TestEvent,
            persistence: { dataDir: '/nonexistent/never-created', segmentBytes } as never,
          }),
        codedAs(
          RingbusRangeError,
          'RINGBUS_ERR_INVALID_OPTION',
          new RegExp(
            `^persistence\\.segmentBytes must be an integer ≥ \\d+ \\(a segment header and 16 records of event TestEvent\\), got ${JSON.stringify(segmentBytes).replace(/[.]/g, '\\.')}$`,
          ),
        ),
      );
  });

  it('should refuse a bad stallTimeoutMs', () => {
    for (const stallTimeoutMs of [-1, Number.NaN, Infinity, '10'])
      assert.throws(
        () => new RingBus({ event: TestEvent, stallTimeoutMs: stallTimeoutMs as number }),
        codedAs(
          RingbusRangeError,
          'RINGBUS_ERR_INVALID_OPTION',
          /^options\.stallTimeoutMs must be a finite number of ms ≥ 0 \(0 turns the stall watchdog off\), got /,
        ),
      );
  });

  it('should keep the handler error in err.cause when start() fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ringbus-options-'));
    try {
      const bus = new RingBus({ event: TestEvent, capacity: 64 });
      bus.handleEventsWith(bus.handler('broken', FAILING_START));
      await assert.rejects(bus.start(), (e: unknown) => {
        codedAs(RingbusError, 'RINGBUS_ERR_HANDLER_FAILED', /failed to start: .*onStart broken on purpose/)(e);
        const cause = (e as Error).cause;
        assert.ok(cause instanceof Error, `cause: ${String(cause)}`);
        assert.match(cause.message, /onStart broken on purpose/);
        return true;
      });
      await bus.shutdown();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
