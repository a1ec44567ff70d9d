/**
 * The order-matching read model for `ringbus read-model --module` (the query side, in a process of
 * its own): positions, cash and marked P&L per account, folded from the execution reports the
 * leader relays to the `<bus>-reports` stream (`npm run example -- --replicate …`, cli/leader.ts).
 *
 * Only TRADE reports move it: each fill has two, the taker's and the maker's, each with its own
 * account and side, so each report moves its own account (buy: position + qty, cash − price × qty;
 * sell: the reverse). `cash` is therefore the cash that trading moved (deposits and starting cash
 * are not reports), and `pnl` = cash + Σ position × the symbol's last trade price. Positions equal
 * the exchange's own (`positions` in the leader's --json summary): the walkthrough test checks it.
 */
import { REPORT, SIDE } from './exchange/codes.js';

interface AccountView {
  /** symbolId → signed position (non-zero only). */
  positions: Record<string, number>;
  cash: number;
  pnl: number;
}

export interface ReadModelView {
  /** TRADE reports folded (two per fill). */
  tradeReports: number;
  /** symbolId → last trade price. */
  lastPrice: Record<string, number>;
  accounts: Record<string, AccountView>;
}

/** The fold: `apply` per report (fields by name, as ExecutionReportEvent defines them), `view` for printing. */
export default function createReadModel(): {
  apply(fields: Record<string, unknown>): void;
  view(): ReadModelView;
} {
  const positions = new Map<number, Map<number, number>>();
  const cash = new Map<number, number>();
  const lastPrice = new Map<number, number>();
  let tradeReports = 0;
  return {
    apply(f) {
      if (f.type !== REPORT.TRADE) return;
      const account = f.accountId as number;
      const symbol = f.symbolId as number;
      const qty = f.qty as number;
      const price = f.price as number;
      const signed = f.side === SIDE.BUY ? qty : -qty;
      let held = positions.get(account);
      if (held === undefined) positions.set(account, (held = new Map()));
      held.set(symbol, (held.get(symbol) ?? 0) + signed);
      cash.set(account, (cash.get(account) ?? 0) - signed * price);
      lastPrice.set(symbol, price);
      tradeReports++;
    },
    view() {
      const accounts: Record<string, AccountView> = {};
      for (const [account, held] of positions) {
        const view: AccountView = { positions: {}, cash: cash.get(account) ?? 0, pnl: cash.get(account) ?? 0 };
        for (const [symbol, qty] of held) {
          if (qty !== 0) view.positions[symbol] = qty;
          view.pnl += qty * (lastPrice.get(symbol) ?? 0);
        }
        accounts[account] = view;
      }
      return { tradeReports, lastPrice: Object.fromEntries(lastPrice), accounts };
    },
  };
}
