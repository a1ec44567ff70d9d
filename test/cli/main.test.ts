/**
 * The `ringbus` command run as a child process (the built dist/src/cli/main.js) on journals
 * written here: exit codes, JSON shapes, decoded field names.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JournalWriter } from '../../src/persistence/JournalWriter.js';
import { writeManifest } from '../../src/persistence/dataDirManifest.js';
import { defineEvent } from '../../src/schema/defineEvent.js';
import { SLOT_HEADER_BYTES, KIND_CONTROL, KIND_EVENT } from '../../src/layout/RingBufferDescriptor.js';
import {
  maxRecordBytes,
  REC_PAYLOAD_OFFSET,
  SEGMENT_HEADER_BYTES,
  segmentFileName,
} from '../../src/layout/JournalDescriptor.js';
import { withTempDir } from '../persistence/helpers.js';

const MAIN = new URL('../../src/cli/main.js', import.meta.url).pathname;
const Order = defineEvent('Order', {
  id: 'i53',
  price: 'f64',
  qty: 'u32',
  side: 'u8',
  symbol: { type: 'ascii', length: 8 },
  tag: { type: 'bytes', length: 3 },
});

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function ringbus(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
  });
}

const order = (i: number): Record<string, unknown> => ({
  id: 1_000_000 + i,
  price: 100 + i / 4,
  qty: i * 3,
  side: i % 2,
  symbol: `SYM${i % 10}`,
  tag: new Uint8Array([i & 0xff, 1, 2]),
});

/** A data directory with a manifest and sequences 0..count-1 (every 10th a control event). */
function writeDataDir(dir: string, count: number, manifest = true): void {
  if (manifest) writeManifest(dir, { event: Order.definition, handlers: [{ name: 'risk' }] });
  const w = JournalWriter.open(dir, {
    fingerprint: Order.fingerprint,
    eventName: Order.name,
    payloadSize: Order.payloadSize,
    epochMs: 1_700_000_000_000,
    fsync: 'none',
    segmentBytes: 4096,
  });
  const slot = new ArrayBuffer(Order.slotSize);
  const bytes = new Uint8Array(slot);
  const fly = new Order.Flyweight(slot).$wrap(0);
  for (let i = 0; i < count; i++) {
    fly.$write(order(i));
    w.append(
      i,
      i * 1000,
      i % 10 === 9 ? KIND_CONTROL : KIND_EVENT,
      i % 10 === 9 ? 7 : 0,
      bytes,
      SLOT_HEADER_BYTES,
      Order.payloadSize,
    );
  }
  w.close();
}

describe('ringbus CLI', () => {
  it('should verify a journal and print the documented JSON', async () => {
    await withTempDir(async (dir) => {
      writeDataDir(dir, 200);
      const r = await ringbus('journal', 'verify', '--data-dir', dir, '--json');
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.deepEqual(Object.keys(out), [
        'ok',
        'segments',
        'records',
        'firstSequence',
        'lastSequence',
        'truncatedBytes',
        'errors',
      ]);
      assert.equal(out.ok, true);
      assert.equal(out.records, 200);
      assert.deepEqual([out.firstSequence, out.lastSequence, out.truncatedBytes, out.errors], [0, 199, 0, []]);
      assert.ok(out.segments > 1);
      const human = await ringbus('journal', 'verify', '--data-dir', dir);
      assert.equal(human.code, 0);
      assert.match(human.stdout, /^ok: \d+ segment\(s\), 200 record\(s\), sequences 0\.\.199/);
    });
  });

  it('should exit 1 and list the damage when the journal is corrupt', async () => {
    await withTempDir(async (dir) => {
      writeDataDir(dir, 20);
      const path = join(dir, 'journal', segmentFileName(0));
      const bytes = readFileSync(path);
      const stride = maxRecordBytes(Order.payloadSize);
      assert.ok(bytes.length >= SEGMENT_HEADER_BYTES + 6 * stride);
      bytes[SEGMENT_HEADER_BYTES + 5 * stride + REC_PAYLOAD_OFFSET] ^= 0x40;
      writeFileSync(path, bytes);
      const r = await ringbus('journal', 'verify', '--data-dir', dir, '--json');
      assert.equal(r.code, 1);
      const out = JSON.parse(r.stdout);
      assert.equal(out.ok, false);
      assert.deepEqual(Object.keys(out.errors[0]), ['file', 'offset', 'sequence', 'message', 'code']);
      assert.deepEqual(
        [out.errors[0].file, out.errors[0].offset, out.errors[0].sequence, out.errors[0].code],
        [path, SEGMENT_HEADER_BYTES + 5 * stride, 5, 'RINGBUS_ERR_JOURNAL_CORRUPT'],
      );
      const cat = await ringbus('journal', 'cat', '--data-dir', dir, '--json');
      assert.equal(cat.code, 1);
      assert.match(cat.stderr, /RINGBUS_ERR_JOURNAL_CORRUPT/);
      assert.equal(cat.stdout.trim().split('\n').length, 5, 'the records before the damage were printed');
    });
  });

  it('should cat records decoded with the manifest schema, one JSON object per line', async () => {
    await withTempDir(async (dir) => {
      writeDataDir(dir, 200);
      const r = await ringbus('journal', 'cat', '--data-dir', dir, '--from', '95', '--to', '120', '--json');
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.equal(lines.length, 26);
      lines.forEach((obj, k) => {
        const i = 95 + k;
        const o = order(i);
        if (i % 10 === 9) {
          // a control record carries no event: no fields decoded from its bytes
          assert.deepEqual(obj, {
            sequence: i,
            timestampNs: i * 1000,
            kind: KIND_CONTROL,
            aux: 7,
            control: 'control-7',
          });
          return;
        }
        assert.deepEqual(obj, {
          sequence: i,
          timestampNs: i * 1000,
          kind: KIND_EVENT,
          aux: 0,
          id: o.id,
          price: o.price,
          qty: o.qty,
          side: o.side,
          symbol: o.symbol,
          tag: Buffer.from(o.tag as Uint8Array).toString('hex'),
        });
      });
      const human = await ringbus('journal', 'cat', '--data-dir', dir, '--from', '198');
      assert.equal(human.code, 0);
      assert.equal(
        human.stdout,
        `#198 t=198000ns EVENT aux=0 id=1000198 price=149.5 qty=594 side=0 symbol="SYM8" tag="c60102"\n` +
          `#199 t=199000ns CONTROL aux=7 (control record: control-7 marker, not an event)\n`,
      );
    });
  });

  it('should skip control records with --events-only', async () => {
    await withTempDir(async (dir) => {
      writeDataDir(dir, 40);
      const r = await ringbus('journal', 'cat', '--data-dir', dir, '--events-only', '--json');
      assert.equal(r.code, 0, r.stderr);
      const sequences = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).sequence as number);
      assert.deepEqual(
        sequences,
        Array.from({ length: 40 }, (_, i) => i).filter((i) => i % 10 !== 9),
      );
    });
  });

  it('should print event bytes as hex when the data directory has no manifest', async () => {
    await withTempDir(async (dir) => {
      writeDataDir(dir, 3, false);
      const r = await ringbus('journal', 'cat', '--data-dir', dir, '--json');
      assert.equal(r.code, 0);
      assert.match(r.stderr, /no manifest\.json/);
      const first = JSON.parse(r.stdout.split('\n')[0]!);
      assert.equal(first.payloadHex.length, Order.payloadSize * 2);
    });
  });

  it('should answer bad usage with a message and exit status 2', async () => {
    await withTempDir(async (dir) => {
      const cases: Array<[string[], RegExp]> = [
        [['journal', 'verify'], /--data-dir is required/],
        [['journal', 'verify', '--data-dir', dir, '--bogus'], /Unknown option '--bogus'/],
        [['journal', 'cat', '--data-dir', dir, '--from', 'abc'], /--from must be a non-negative integer, got "abc"/],
        [['journal', 'cat', '--data-dir', dir, '--from', '5', '--to', '2'], /--to 2 is below --from 5/],
        [['journal', 'verify', '--data-dir', join(dir, 'missing')], /is not a directory/],
        [['frobnicate'], /unknown command "frobnicate"/],
        [
          ['journal'],
          /^ringbus: "journal" needs a subcommand: ringbus journal <(verify|cat)\|(verify|cat)[|a-z]*> \[RINGBUS_ERR_CLI_USAGE\]/,
        ],
        [[], /Usage: ringbus <command>/],
      ];
      for (const [args, message] of cases) {
        const r = await ringbus(...args);
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, message, args.join(' '));
        if (args.length > 0) assert.match(r.stderr, /RINGBUS_ERR_CLI_USAGE/);
      }
      const help = await ringbus('--help');
      assert.equal(help.code, 0);
      assert.match(help.stdout, /journal verify .*\n.*journal cat /);
      const sub = await ringbus('journal', 'cat', '--help');
      assert.equal(sub.code, 0);
      assert.match(sub.stdout, /--from N/);
    });
  });
});
