// The broker's Kafka Fetch handler (key 1), registered by kafka-apis.ts. It asks the fetch session
// cache (fetch-session.ts, KIP-227) what the request covers: the request's partitions (a full or
// sessionless fetch) or every partition of the client's session (an incremental one); reads them
// from the ReplicaManager, long-polling up to MaxWaitMs until MinBytes; and answers them all, or
// (incremental) only those with records, an error, or a moved high watermark / last stable offset /
// log start offset. Records travel as the log's Buffers, never decoded here.
import { ErrorCode } from '../common/errors.js';
import { fetchApi, type FetchRequest, type FetchResponseInput } from '../protocol/messages/fetch.js';
import { readBatchHeaders } from '../protocol/record-batch.js';
import { CompressionCodec } from '../protocol/compression.js';
import { partitionKey } from '../protocol/topic-partition.js';
import { IsolationLevel } from '../protocol/txn-types.js';
import { zeroUuid } from '../protocol/primitives/uuid.js';
import { AclOperation } from '../protocol/acl-types.js';
import type { BrokerApiContext, KafkaApiRegistry, RequestContext } from './api-context.js';
import type { RequestAuthorization } from './authorization.js';
import {
  FetchSessionCache,
  sessionKey,
  type FetchContext,
  type PartitionAnswerState,
  type WantedPartition,
} from './fetch-session.js';
import { ReadBufferPool } from '../storage/read-buffers.js';
import { leaderEndpoints, leaderHint, topicNameOf, wantsLeaderHint, type LeaderHint } from './leader-hints.js';

/** The first Fetch version whose clients can read zstd batches (KIP-110). */
const fetchZstdMinVersion = 10;
/** The first Fetch version with sessions (SessionId, SessionEpoch, ForgottenTopicsData). */
const fetchSessionMinVersion = 7;
/** Fetch waits at most this long whatever the client asks (Kafka bounds it by the request timeout). */
const fetchWaitMaxMs = 30_000;
/** The record set of a partition answered with an error: empty, never null (as Kafka). */
const noRecords = Buffer.alloc(0);
/** A broker built without a session cache serves every fetch without a session. */
const sessionsOff = new FetchSessionCache({ slotsMax: 0, evictionMs: 0 });
/**
 * The buffers record bytes are read into, reused from one answer to the next (read-buffers.ts):
 * one pool per process, its free lists bounded.
 */
const readBuffers = new ReadBufferPool();

export function registerFetch(apis: KafkaApiRegistry, ctx: BrokerApiContext): void {
  apis.register(fetchApi, (req, rc, az) => fetch(ctx, req, rc, az));
}

/** The request's partitions and forgotten partitions in the session cache's terms. */
function wantedOf(req: FetchRequest, usesTopicIds: boolean, nameOf: (topicId: string) => string | undefined) {
  const wanted: WantedPartition[] = [];
  for (const t of req.topics) {
    const topicId = t.topicId ?? zeroUuid;
    const topic = usesTopicIds ? nameOf(topicId) : (t.topic ?? '');
    const keyTopic = usesTopicIds ? topicId : (t.topic ?? '');
    for (const p of t.partitions)
      wanted.push({
        key: sessionKey(keyTopic, p.partition),
        topic,
        topicId,
        partition: p.partition,
        fetchOffset: p.fetchOffset,
        maxBytes: p.partitionMaxBytes,
        currentLeaderEpoch: p.currentLeaderEpoch,
        lastFetchedEpoch: p.lastFetchedEpoch,
        logStartOffset: p.logStartOffset,
      });
  }
  const forgotten = (req.forgottenTopicsData ?? []).flatMap((t) =>
    t.partitions.map((p) => sessionKey(usesTopicIds ? (t.topicId ?? zeroUuid) : (t.topic ?? ''), p)),
  );
  return { wanted, forgotten };
}

interface PartitionAnswer {
  partitionIndex: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  abortedTransactions: { producerId: number; firstOffset: number }[] | null;
  records: Buffer;
  currentLeader?: LeaderHint;
}

async function fetch(
  ctx: BrokerApiContext,
  req: FetchRequest,
  rc: RequestContext,
  az: RequestAuthorization,
): Promise<FetchResponseInput> {
  const version = rc.header.apiVersion;
  const img = ctx.replicas.currentImage();
  const usesTopicIds = version >= 13;
  const sessions = ctx.fetchSessions ?? sessionsOff;
  const { wanted, forgotten } = wantedOf(req, usesTopicIds, (id) => topicNameOf(img, id));
  const fctx: FetchContext =
    version >= fetchSessionMinVersion
      ? sessions.newContext(
          {
            sessionId: req.sessionId,
            epoch: req.sessionEpoch,
            usesTopicIds,
            privileged: false,
            partitions: wanted,
            forgotten,
          },
          Date.now(),
        )
      : { kind: 'sessionless', partitions: wanted };
  ctx.fetchMetrics?.observe('consumer', fctx.kind, wanted.length + forgotten.length);
  if (fctx.kind === 'error') return { errorCode: fctx.errorCode, sessionId: 0, responses: [] };
  // A session's partitions named by id are looked up again each time (the topic may have come or gone).
  const parts = fctx.partitions.map((w) => ({ w, topic: usesTopicIds ? topicNameOf(img, w.topicId) : w.topic }));
  const deadline = Date.now() + Math.min(Math.max(0, req.maxWaitMs), fetchWaitMaxMs);
  // Client quotas: a consumer is never sent more than one quota window's worth at once (Kafka's
  // getMaxValueInQuotaWindow), since more would throttle it for certain.
  const maxBytes = Math.min(req.maxBytes, rc.quota?.fetchBytesMax() ?? Number.POSITIVE_INFINITY);
  const minBytes = Math.min(req.minBytes, maxBytes);
  const readCommitted = version >= 4 && req.isolationLevel === IsolationLevel.READ_COMMITTED;
  // Topics the principal may not read, decided once per topic for every poll: TOPIC_AUTHORIZATION_FAILED.
  const readable = new Map<string, boolean>();
  const mayRead = (topic: string) => {
    if (!az.enabled) return true;
    let ok = readable.get(topic);
    if (ok === undefined) readable.set(topic, (ok = az.topic(AclOperation.READ, topic)));
    return ok;
  };
  // Nothing readable at all: nothing to wait for (as Kafka answers at once).
  const nothingReadable = az.enabled && !parts.some((x) => x.topic !== undefined && mayRead(x.topic));
  // Pooled read buffers only when the server says when the answer has left (afterSend).
  const lease = rc.afterSend ? readBuffers.lease() : null;
  for (;;) {
    let total = 0;
    let anyError = false;
    const answers = parts.map(({ w, topic }): PartitionAnswer => {
      if (topic === undefined) {
        anyError = true;
        return failed(w.partition, ErrorCode.UNKNOWN_TOPIC_ID);
      }
      if (!mayRead(topic)) return failed(w.partition, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      const budget = Math.max(0, Math.min(w.maxBytes, maxBytes - total));
      const r = ctx.replicas.read(topic, w.partition, w.fetchOffset, budget, total === 0, readCommitted, lease?.take);
      if (r.errorCode !== 0 || !('records' in r)) {
        anyError = true;
        const leader = wantsLeaderHint(r.errorCode) ? leaderHint(img, topic, w.partition) : undefined;
        return {
          ...failed(w.partition, r.errorCode, r.highWatermark, r.logStartOffset),
          ...(leader && version >= 12 ? { currentLeader: leader } : {}),
        };
      }
      // Fetch below v10 predates zstd: such a consumer cannot take zstd batches (Kafka answers the same).
      if (
        version < fetchZstdMinVersion &&
        readBatchHeaders(r.records).some((h) => h.compression === CompressionCodec.zstd)
      ) {
        anyError = true;
        return failed(w.partition, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, r.highWatermark, r.logStartOffset);
      }
      total += r.records.length;
      return {
        partitionIndex: w.partition,
        errorCode: 0,
        highWatermark: r.highWatermark,
        lastStableOffset: r.lastStableOffset,
        logStartOffset: r.logStartOffset,
        abortedTransactions: r.abortedTransactions ? [...r.abortedTransactions] : null,
        records: r.records,
      };
    });
    const remaining = deadline - Date.now();
    if (total >= minBytes || anyError || nothingReadable || remaining <= 0 || rc.signal.aborted) {
      if (lease) rc.afterSend?.(() => lease.release());
      // Over consumer_byte_rate: Kafka takes the bytes back and answers empty with the throttle time
      // (an incremental session stays open: KAFKA-6946; a full fetch creates none).
      const throttleTimeMs = rc.quota?.recordFetch(total) ?? 0;
      if (throttleTimeMs > 0) {
        const sessionId = fctx.kind === 'incremental' ? fctx.session.id : 0;
        return { throttleTimeMs, errorCode: 0, sessionId, responses: [] };
      }
      const { sessionId, keep } = sessions.answer(fctx, answers.map(answerState), Date.now());
      const responses = byTopic(parts, answers, keep);
      countFetched(ctx, responses);
      const endpoints = leaderEndpoints(
        () => img ?? ctx.replicas.currentImage(),
        responses,
        { apiVersion: version, listenerName: rc.listenerName },
        16,
      );
      return { throttleTimeMs, errorCode: 0, sessionId, responses, ...endpoints };
    }
    lease?.release(); // this round's reads are dropped unsent
    await ctx.replicas.waitForData(
      parts.map((x) => partitionKey(x.topic ?? '', x.w.partition)),
      remaining,
      rc.signal,
    );
  }
}

function failed(partitionIndex: number, errorCode: number, highWatermark = -1, logStartOffset = -1): PartitionAnswer {
  return {
    partitionIndex,
    errorCode,
    highWatermark,
    lastStableOffset: highWatermark,
    logStartOffset,
    abortedTransactions: null,
    records: noRecords, // Kafka sends an empty set: librdkafka rejects a null one as malformed
  };
}

function answerState(a: PartitionAnswer): PartitionAnswerState {
  return {
    errorCode: a.errorCode,
    highWatermark: a.highWatermark,
    lastStableOffset: a.lastStableOffset,
    logStartOffset: a.logStartOffset,
    recordBytes: a.records.length,
    mustAnswer: a.currentLeader !== undefined,
  };
}

/** The kept answers grouped by topic, in fetch order (consecutive partitions of a topic share an entry). */
function byTopic(
  parts: readonly { w: WantedPartition; topic: string | undefined }[],
  answers: readonly PartitionAnswer[],
  keep: (i: number) => boolean,
): { topic: string; topicId: string; partitions: PartitionAnswer[] }[] {
  const out: { topic: string; topicId: string; partitions: PartitionAnswer[] }[] = [];
  parts.forEach(({ w, topic }, i) => {
    const a = answers[i];
    if (!a || !keep(i)) return;
    const name = topic ?? '';
    const last = out[out.length - 1];
    if (last && last.topicId === w.topicId && last.topic === name) last.partitions.push(a);
    else out.push({ topic: name, topicId: w.topicId, partitions: [a] });
  });
  return out;
}

/** Per-topic fetch metrics of an answer (partitions this broker hosts only: names from clients are unbounded). */
function countFetched(
  ctx: BrokerApiContext,
  responses: readonly { topic: string; partitions: readonly PartitionAnswer[] }[],
): void {
  for (const t of responses)
    for (const p of t.partitions)
      if (ctx.replicas.get(t.topic, p.partitionIndex))
        ctx.topicMetrics.fetched(t.topic, p.errorCode === 0 ? { bytes: p.records.length } : 'failed');
}
