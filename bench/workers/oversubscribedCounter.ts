/** A consumer of the oversubscribed scenario: counts events per producer (checked by the scenario). */
import { defineHandler } from '../../src/index.js';

export default defineHandler<any, { counts: SharedArrayBuffer }>((ctx) => {
  const counts = new Int32Array(ctx.options.counts);
  return {
    onEvent(event) {
      counts[event.value as number]!++;
    },
    onShutdown() {
      Atomics.store(counts, counts.length - 1, 1);
    },
  };
});
