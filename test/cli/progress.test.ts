import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createProgress } from '../../src/cli/progress.js';

/** A stream that records what is written, with a chosen isTTY. */
function capture(isTTY: boolean): { isTTY: boolean; columns: number; text: string; write(t: string): boolean } {
  return {
    isTTY,
    columns: 100,
    text: '',
    write(t: string) {
      this.text += t;
      return true;
    },
  };
}

describe('createProgress', () => {
  it('should print nothing when the stream is not a TTY', () => {
    const s = capture(false);
    const p = createProgress({ total: 10, label: 'replay', stream: s });
    for (let i = 0; i <= 10; i++) p.update(i);
    p.finish();
    assert.equal(s.text, '');
  });

  it('should draw a bar with percentage and counts on a TTY and end the line on finish', () => {
    const s = capture(true);
    const p = createProgress({ total: 200, label: 'replay', stream: s, intervalMs: 0 });
    p.update(50);
    assert.match(s.text, /^\rreplay \[#+-+\] 25\.0% 50\/200 /);
    p.update(200);
    p.finish();
    p.finish();
    assert.match(s.text, /100\.0% 200\/200 [^\n]*\n$/);
    assert.equal(s.text.split('\n').length, 2, 'one newline, from the first finish()');
  });
});
