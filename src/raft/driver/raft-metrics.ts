// Prometheus metrics of the metadata quorum, one registry per node (served at /metrics).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

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

  constructor(registry: Registry) {
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
    this.appendToCommitSeconds = new Histogram({
      name: 'raftka_raft_append_to_commit_seconds',
      help: 'On the leader: time from appending an entry to its commit (high watermark passing it)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
  }
}
