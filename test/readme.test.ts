/**
 * The README's quick examples are the files under examples/quickstart: this test checks that the
 * README shows them verbatim (so the docs cannot drift from the code) and runs them.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(`${root}README.md`, 'utf8');
const run = (script: string): string =>
  execFileSync(process.execPath, [`${root}dist/examples/quickstart/${script}`], { encoding: 'utf8', timeout: 60_000 });

describe('README quick examples', () => {
  for (const file of ['ring.ts', 'bus.ts', 'handlers/notional.ts', 'handlers/totals.ts']) {
    it(`should show examples/quickstart/${file} verbatim`, () => {
      const source = readFileSync(`${root}examples/quickstart/${file}`, 'utf8');
      assert.ok(
        readme.includes('```ts\n' + source + '```'),
        `README.md does not contain examples/quickstart/${file} as a ts code block`,
      );
    });
  }

  it('should run the ring example and read back what it published', () => {
    let volume = 0;
    for (let i = 0; i < 10; i++) volume += 10 * (i + 1);
    assert.equal(run('ring.js').trim(), `consumed up to sequence 9, volume ${volume}`);
  });

  it('should run the bus example: totals equal the sum computed here, metrics count every event', () => {
    let total = 0;
    for (let i = 1; i <= 100_000; i++) total += (10 + (i % 7)) * (i % 100);
    const out = run('bus.js');
    assert.match(out, new RegExp(`^totals: \\{"total":${total},"count":100000\\}$`, 'm'));
    assert.match(out, /^totals latency p99: \d+ ns over 100000 events$/m);
  });
});
