/**
 * Transient (result) fields: laid out after every input field, optional on publish, reset by
 * $resetTransient, part of the fingerprint, and left out of what the journal records.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defineEvent, RingBuffer, SLOT_HEADER_BYTES } from '../../src/index.js';

const Ev = defineEvent('WithResults', {
  flag: 'u8',
  price: 'f64',
  status: { type: 'u8', transient: true },
  total: { type: 'i53', transient: true, default: 7 },
  qty: 'u32',
  note: { type: 'ascii', length: 5, transient: true },
});

describe('transient fields', () => {
  it('should lay every input field out before every transient field, each naturally aligned', () => {
    const inputs = Ev.fields.filter((f) => !f.transient);
    const transients = Ev.fields.filter((f) => f.transient);
    const lastInputEnd = Math.max(...inputs.map((f) => f.offset + f.size));
    assert.equal(Ev.journalSize, lastInputEnd - SLOT_HEADER_BYTES);
    for (const t of transients) assert.ok(t.offset >= lastInputEnd, `${t.name} at ${t.offset} overlaps the inputs`);
    for (const f of Ev.fields)
      if (f.type !== 'ascii' && f.type !== 'bytes') assert.equal(f.offset % f.size, 0, `${f.name} misaligned`);
    assert.equal(Ev.journalSize, 8 + 4 + 1);
    assert.ok(Ev.payloadSize > Ev.journalSize);
  });

  it('should let a producer leave transient fields out, with their defaults (zero unless given)', () => {
    const ring = new RingBuffer({ capacity: 4, event: Ev });
    const seq = ring.publishEvent({ flag: 1, price: 2.5, qty: 3 });
    assert.deepEqual(ring.get(seq).$toObject(), { flag: 1, price: 2.5, status: 0, total: 7, qty: 3, note: '' });
  });

  it('should reset only the transient fields with $resetTransient', () => {
    const ring = new RingBuffer({ capacity: 4, event: Ev });
    const e = ring.get(ring.publishEvent({ flag: 1, price: 2.5, qty: 3 }));
    e.status = 9;
    e.total = 100;
    e.note = 'abc';
    e.$resetTransient();
    assert.deepEqual(e.$toObject(), { flag: 1, price: 2.5, status: 0, total: 7, qty: 3, note: '' });
  });

  it('should change the fingerprint when a field becomes transient', () => {
    const a = defineEvent('T', { x: 'u32', y: 'u32' });
    const b = defineEvent('T', { x: 'u32', y: { type: 'u32', transient: true } });
    assert.notEqual(a.fingerprint, b.fingerprint);
    assert.equal(b.journalSize, 4);
    assert.equal(a.journalSize, a.payloadSize);
  });
});
