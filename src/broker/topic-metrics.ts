// Per-topic traffic of a broker's Kafka clients (Kafka's kafka.server:type=BrokerTopicMetrics):
// bytes and messages in from Produce, bytes out in Fetch answers to clients (followers replicate
// over gRPC and are not counted, as Kafka counts them apart), and produce and fetch requests per
// topic, total and failed. One series per topic; sum() over topics gives Kafka's all-topics rate.
import { Counter, type Registry } from 'prom-client';

export class BrokerTopicMetrics {
  private readonly bytesIn: Counter<'topic'>;
  private readonly messagesIn: Counter<'topic'>;
  private readonly bytesOut: Counter<'topic'>;
  private readonly produceRequests: Counter<'topic'>;
  private readonly failedProduce: Counter<'topic'>;
  private readonly fetchRequests: Counter<'topic'>;
  private readonly failedFetch: Counter<'topic'>;
  /** Topics with series, so a deleted topic's can be dropped. */
  private readonly seen = new Set<string>();

  constructor(registry: Registry) {
    const counter = (name: string, help: string): Counter<'topic'> =>
      new Counter({ name, help, labelNames: ['topic'], registers: [registry] });
    this.bytesIn = counter(
      'raftka_broker_topic_bytes_in_total',
      'Record bytes clients produced to the topic, as sent (Kafka: BytesInPerSec)',
    );
    this.messagesIn = counter(
      'raftka_broker_topic_messages_in_total',
      'Records clients produced to the topic (Kafka: MessagesInPerSec)',
    );
    this.bytesOut = counter(
      'raftka_broker_topic_bytes_out_total',
      'Record bytes sent to clients in Fetch answers (Kafka: BytesOutPerSec)',
    );
    this.produceRequests = counter(
      'raftka_broker_topic_produce_requests_total',
      'Produce requests for the topic, one per partition (Kafka: TotalProduceRequestsPerSec)',
    );
    this.failedProduce = counter(
      'raftka_broker_topic_failed_produce_requests_total',
      'Produce requests for the topic answered with an error, one per partition (Kafka: FailedProduceRequestsPerSec)',
    );
    this.fetchRequests = counter(
      'raftka_broker_topic_fetch_requests_total',
      'Fetch requests for the topic, one per partition (Kafka: TotalFetchRequestsPerSec)',
    );
    this.failedFetch = counter(
      'raftka_broker_topic_failed_fetch_requests_total',
      'Fetch requests for the topic answered with an error, one per partition (Kafka: FailedFetchRequestsPerSec)',
    );
  }

  /** A partition's produce: `bytes`/`messages` when it was written, else just the failure. */
  produced(topic: string, outcome: { bytes: number; messages: number } | 'failed'): void {
    const labels = { topic };
    this.seen.add(topic);
    this.produceRequests.inc(labels);
    if (outcome === 'failed') {
      this.failedProduce.inc(labels);
      return;
    }
    this.bytesIn.inc(labels, outcome.bytes);
    this.messagesIn.inc(labels, outcome.messages);
  }

  /** A partition's fetch answer: the record bytes it carried, or a failure. */
  fetched(topic: string, outcome: { bytes: number } | 'failed'): void {
    const labels = { topic };
    this.seen.add(topic);
    this.fetchRequests.inc(labels);
    if (outcome === 'failed') this.failedFetch.inc(labels);
    else if (outcome.bytes > 0) this.bytesOut.inc(labels, outcome.bytes);
  }

  /** Drops the series of topics that no longer exist (called as metadata changes). */
  forgetDeleted(exists: (topic: string) => boolean): void {
    for (const topic of this.seen) {
      if (exists(topic)) continue;
      this.seen.delete(topic);
      for (const c of [
        this.bytesIn,
        this.messagesIn,
        this.bytesOut,
        this.produceRequests,
        this.failedProduce,
        this.fetchRequests,
        this.failedFetch,
      ])
        c.remove({ topic });
    }
  }
}
