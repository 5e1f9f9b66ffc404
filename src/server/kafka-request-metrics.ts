// Request metrics of the Kafka listeners, one set per node however many listeners it has (Kafka's
// kafka.network:type=RequestMetrics and SocketServer metrics). Times per API, in seconds:
// - local: from the decoded request to its answer being ready (the handler, including waits for
//   replication on acks=all and for data on a long-poll fetch: Kafka splits those off as
//   RemoteTimeMs, raftka does not);
// - response queue: from the answer being ready to its turn (answers leave in request order);
// - response send: from writing the answer to the socket taking all of it;
// - total: from the whole request frame having arrived to the answer sent.
// Kafka's RequestQueueTimeMs has no counterpart: a request is handled as soon as it arrives.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Seconds: 0.1 ms to 30 s (a long-poll fetch waits up to its max wait). */
const timeBuckets = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Bytes: 64 B to 64 MiB. */
const sizeBuckets = [64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

export class KafkaRequestMetrics {
  /** By API and version, as Kafka's RequestsPerSec is (its `version` tag): which versions clients really send. */
  readonly requests: Counter<'api' | 'version'>;
  readonly closedOnError: Counter<'reason'>;
  readonly connections: Gauge<'listener'>;
  readonly totalTime: Histogram<'api'>;
  readonly localTime: Histogram<'api'>;
  readonly responseQueueTime: Histogram<'api'>;
  readonly responseSendTime: Histogram<'api'>;
  readonly requestBytes: Histogram<'api'>;
  readonly responseBytes: Histogram<'api'>;

  /**
   * `apiNames`: every API served, given a zero series of each histogram at once so dashboards see
   * each from the start (the request counter gets its series per version as requests arrive, as
   * Kafka's does).
   */
  constructor(registry: Registry, apiNames: readonly string[]) {
    const registers = [registry];
    const labelNames = ['api'] as const;
    this.requests = new Counter({
      name: 'raftka_kafka_requests_total',
      help: 'Kafka requests handled, by API and version (Kafka: RequestsPerSec)',
      labelNames: ['api', 'version'],
      registers,
    });
    this.closedOnError = new Counter({
      name: 'raftka_kafka_connections_closed_on_error_total',
      help: 'Kafka connections closed because of a bad frame or request',
      labelNames: ['reason'],
      registers,
    });
    this.connections = new Gauge({
      name: 'raftka_kafka_connections',
      help: 'Open Kafka connections, by listener (Kafka: connection-count)',
      labelNames: ['listener'],
      registers,
    });
    const histogram = (name: string, help: string, buckets: number[]): Histogram<'api'> =>
      new Histogram({ name, help, labelNames, buckets, registers });
    this.totalTime = histogram(
      'raftka_kafka_request_total_time_seconds',
      'Request arrived to answer sent, by API (Kafka: TotalTimeMs)',
      timeBuckets,
    );
    this.localTime = histogram(
      'raftka_kafka_request_local_time_seconds',
      'Request decoded to answer ready, replication and long-poll waits included, by API (Kafka: LocalTimeMs + RemoteTimeMs)',
      timeBuckets,
    );
    this.responseQueueTime = histogram(
      'raftka_kafka_response_queue_time_seconds',
      'Answer ready to its turn on the connection, by API (Kafka: ResponseQueueTimeMs)',
      timeBuckets,
    );
    this.responseSendTime = histogram(
      'raftka_kafka_response_send_time_seconds',
      'Answer written to the socket until taken by it, by API (Kafka: ResponseSendTimeMs)',
      timeBuckets,
    );
    this.requestBytes = histogram(
      'raftka_kafka_request_bytes',
      'Request frame size, by API (Kafka: RequestBytes)',
      sizeBuckets,
    );
    this.responseBytes = histogram('raftka_kafka_response_bytes', 'Response frame size, by API', sizeBuckets);
    this.zeroApis(apiNames);
  }

  /** Zero series of each histogram for `apiNames` (each listener set of a node adds the APIs it serves). */
  zeroApis(apiNames: readonly string[]): void {
    for (const api of apiNames) {
      for (const h of [
        this.totalTime,
        this.localTime,
        this.responseQueueTime,
        this.responseSendTime,
        this.requestBytes,
        this.responseBytes,
      ])
        h.zero({ api });
    }
  }
}
