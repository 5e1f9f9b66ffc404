// Prometheus metrics of the metadata quorum, one registry per node (served at /metrics). The
// RaftDriver sets and counts them; the node's roles reach the registry through `registry` to add
// their own beside them (the controller's active gauge and its metadata-error count).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Where a record reached this node's metadata log: proposed here as leader, or fetched from the leader. */
export type AppendSource = 'leader' | 'fetch';

/** Where a metadata error was met: a controller event (a write, activation, fencing) or applying committed records. */
export type MetadataErrorSource = 'controller' | 'apply';

export class RaftMetrics {
  readonly epoch: Gauge;
  readonly leaderId: Gauge;
  readonly highWatermark: Gauge;
  readonly logEndOffset: Gauge;
  readonly logStartOffset: Gauge;
  readonly isLeader: Gauge;
  readonly appendToCommitSeconds: Histogram;
  readonly snapshotsWritten: Gauge;
  readonly elections: Counter;
  readonly leaderChanges: Counter;
  readonly appendedRecords: Counter<'source'>;
  readonly fetchTimeouts: Counter;
  readonly metadataErrors: Counter<'source'>;

  constructor(readonly registry: Registry) {
    const registers = [registry];
    this.epoch = new Gauge({
      name: 'raftka_raft_epoch',
      help: 'Current epoch of the metadata quorum as this node knows it',
      registers,
    });
    this.leaderId = new Gauge({
      name: 'raftka_raft_leader_id',
      help: 'Id of the current quorum leader (-1 when unknown)',
      registers,
    });
    this.highWatermark = new Gauge({
      name: 'raftka_raft_high_watermark',
      help: 'High watermark of __cluster_metadata-0',
      registers,
    });
    this.logEndOffset = new Gauge({
      name: 'raftka_raft_log_end_offset',
      help: 'Log end offset of __cluster_metadata-0',
      registers,
    });
    this.logStartOffset = new Gauge({
      name: 'raftka_raft_log_start_offset',
      help: 'Log start offset (end of the latest snapshot)',
      registers,
    });
    this.isLeader = new Gauge({ name: 'raftka_raft_is_leader', help: '1 on the active controller, else 0', registers });
    this.snapshotsWritten = new Gauge({
      name: 'raftka_raft_snapshots_written_total',
      help: 'Snapshots this node wrote',
      registers,
    });
    this.elections = new Counter({
      name: 'raftka_raft_elections_total',
      help: 'Elections this node started as a candidate (one per epoch it stood in)',
      registers,
    });
    this.leaderChanges = new Counter({
      name: 'raftka_raft_leader_changes_total',
      help: 'Quorum leaders this node came to know of (a new leader or a new epoch of one)',
      registers,
    });
    this.appendedRecords = new Counter({
      name: 'raftka_raft_appended_records_total',
      help: "Records appended to this node's metadata log, by source: proposed here as leader (Kafka: append-records-rate) or fetched from the leader (Kafka: fetch-records-rate)",
      labelNames: ['source'],
      registers,
    });
    for (const source of ['leader', 'fetch'] satisfies AppendSource[]) this.appendedRecords.inc({ source }, 0);
    this.fetchTimeouts = new Counter({
      name: 'raftka_raft_fetch_timeouts_total',
      help: 'Times this node, following a quorum leader as a voter or an observer, heard nothing from it within controller.quorum.fetch.timeout.ms and gave it up',
      registers,
    });
    this.metadataErrors = new Counter({
      name: 'raftka_metadata_errors_total',
      help: 'Errors met handling controller events or applying committed metadata records (Kafka: MetadataErrorCount)',
      labelNames: ['source'],
      registers,
    });
    for (const source of ['controller', 'apply'] satisfies MetadataErrorSource[])
      this.metadataErrors.inc({ source }, 0);
    this.appendToCommitSeconds = new Histogram({
      name: 'raftka_raft_append_to_commit_seconds',
      help: 'On the leader: time from appending an entry to its commit (high watermark passing it)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
  }
}
