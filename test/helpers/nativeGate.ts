/**
 * Tests that need the native addon run only when it is loaded (it is optional: no C++ tool chain,
 * or RINGBUS_NATIVE=off). Otherwise each gated suite is replaced by one test that proves the
 * fallback instead and says, in the test output, that the addon tests were gated off.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  currentCpu,
  currentThreadAffinity,
  loadNativeAddon,
  nativeStatus,
  pinCurrentThread,
} from '../../src/native/index.js';

export const NATIVE = nativeStatus();

/** `describe(name, body)` when the addon is loaded; a fallback check, announced as such, when not. */
export function describeWithAddon(name: string, body: () => void): void {
  if (NATIVE.loaded) {
    describe(name, body);
    return;
  }
  describe(`${name} (addon not loaded: gated off)`, () => {
    it('should fall back without the addon: no pinning, unknown CPU, no affinity, a reason given', (t) => {
      t.diagnostic(
        `native addon not loaded (${NATIVE.reason ?? 'unknown reason'}): the tests of "${name}" need it and did not run`,
      );
      assert.equal(loadNativeAddon(), null);
      assert.ok((NATIVE.reason ?? '').length > 0, 'the status says why the addon is not loaded');
      assert.equal(currentCpu(), -1);
      assert.equal(currentThreadAffinity(), null);
      const r = pinCurrentThread([0]);
      assert.equal(r.pinned, false);
      assert.match(r.reason ?? '', /CPU pinning is off/);
    });
  });
}
