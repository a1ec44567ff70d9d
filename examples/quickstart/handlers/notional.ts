import { defineHandler } from 'ringbus';

// Stage 1: computes the notional and writes it into the slot for later stages.
export default defineHandler(() => ({
  onEvent(event) {
    event.notional = (event.price as number) * (event.qty as number);
  },
}));
