// Prometheus views of the transaction coordinator: the transactions open now (Ongoing or ending)
// and the transactional ids held, and totals since start of commits, aborts, aborts of
// transactions that exceeded their timeout, and expired transactional ids. Computed when
// /metrics is scraped, from TransactionCoordinator.stats().
import { Counter, Gauge, type Registry } from 'prom-client';
import type { TransactionCoordinator } from './transaction-coordinator.js';
import type { TxnCoordinatorStats } from './txn-types.js';

export function registerTxnMetrics(registry: Registry, coordinator: TransactionCoordinator): void {
  new Gauge({
    name: 'raftka_transactions_open',
    help: 'Transactions this broker coordinates that are open (Ongoing, PrepareCommit or PrepareAbort)',
    registers: [registry],
    collect() {
      this.set(coordinator.stats().openTransactions);
    },
  });
  new Gauge({
    name: 'raftka_transactional_ids',
    help: 'Transactional ids held by the transaction coordinator on this broker',
    registers: [registry],
    collect() {
      this.set(coordinator.stats().transactionalIds);
    },
  });
  const total = (name: string, help: string, pick: (s: TxnCoordinatorStats) => number): void => {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        // The coordinator keeps the totals; the counter mirrors them at scrape time.
        this.reset();
        this.inc(pick(coordinator.stats()));
      },
    });
  };
  total('raftka_transactions_committed_total', 'Transactions committed (CompleteCommit written)', (s) => s.committed);
  total('raftka_transactions_aborted_total', 'Transactions aborted (CompleteAbort written)', (s) => s.aborted);
  total(
    'raftka_transactions_timed_out_total',
    'Transactions the coordinator aborted because they exceeded their timeout',
    (s) => s.timedOutAborts,
  );
  total(
    'raftka_transactional_ids_expired_total',
    'Transactional ids removed after transactional.id.expiration.ms without use',
    (s) => s.expiredTransactionalIds,
  );
}
