/**
 * JournalWriter's recoveredTail option: a tail repaired just before is reused (no second scan);
 * a stale one (the segment changed since) is detected and the writer scans as usual.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { JournalWriter } from '../../src/persistence/JournalWriter.js';
import { recoverJournalTail } from '../../src/persistence/journalRecovery.js';
import { appendRange, withTempDir, writeJournal, writerOptions } from './helpers.js';

describe('JournalWriter recoveredTail', () => {
  it('should continue after the recovered tail, and rescan when the tail is stale', () =>
    withTempDir((dir) => {
      writeJournal(dir, 1, 0, 99);
      const fresh = recoverJournalTail(dir);
      assert.equal(fresh.report.lastSequence, 99);
      const a = JournalWriter.open(dir, writerOptions({ recoveredTail: fresh }));
      assert.equal(a.lastSequence(), 99);
      appendRange(a, 1, 100, 149);
      a.close();
      // `fresh` now describes a shorter segment than the one on disk: it must not be trusted
      const b = JournalWriter.open(dir, writerOptions({ recoveredTail: fresh }));
      assert.equal(b.lastSequence(), 149);
      appendRange(b, 1, 150, 151);
      b.close();
      assert.equal(recoverJournalTail(dir).report.lastSequence, 151);
    }));
});
