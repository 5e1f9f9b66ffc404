// Metrics that cross a thread boundary, and the event-loop lag of one loop. prom-client's registry
// lives on the node's main thread (the one /metrics reads); another thread (the quorum thread of
// src/raft/host/) keeps a registry of its own and answers the main thread's scrape with its metrics
// as JSON. registerRemoteMetrics puts those families into the main registry; a family both threads
// have (a counter of the gRPC link security, say) is served once, with the values of both summed.
// Who calls: src/raft/host/quorum-host.ts (remote metrics), the node and the quorum thread (lag).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge, type Metric, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client';

type MetricJson = MetricObjectWithValues<MetricValue<string>>;

/**
 * Serve the metric families `families` (as the other thread listed them at its start) from
 * `registry`, reading fresh values with `read` at each scrape (one read serves every family).
 */
export function registerRemoteMetrics(
  registry: Registry,
  families: readonly MetricJson[],
  read: () => Promise<readonly MetricJson[]>,
): void {
  let current: Promise<ReadonlyMap<string, MetricJson>> | null = null;
  const latest = (): Promise<ReadonlyMap<string, MetricJson>> => {
    // Every family of one scrape shares one read; the next scrape reads again.
    if (!current) {
      current = read().then((all) => new Map(all.map((m) => [m.name, m])));
      void current.finally(() => setImmediate(() => (current = null))).catch(() => {});
    }
    return current;
  };
  for (const family of families) {
    const local = registry.getSingleMetric(family.name);
    if (local) registry.removeSingleMetric(family.name);
    const proxy = {
      name: family.name,
      help: family.help,
      type: family.type,
      aggregator: family.aggregator,
      async get(): Promise<MetricJson> {
        const remote = (await latest()).get(family.name);
        const values = [...(remote?.values ?? [])];
        if (local) values.push(...((await local.get()) as MetricJson).values);
        return { ...family, values: sumByLabels(values) };
      },
      reset(): void {},
    };
    registry.registerMetric(proxy as unknown as Metric);
  }
}

/** Values with the same metric name and labels summed (a counter both threads count). */
function sumByLabels(values: readonly MetricValue<string>[]): MetricValue<string>[] {
  const byKey = new Map<string, MetricValue<string>>();
  for (const v of values) {
    const key = `${(v as { metricName?: string }).metricName ?? ''}|${JSON.stringify(Object.entries(v.labels).sort())}`;
    const seen = byKey.get(key);
    byKey.set(key, seen ? { ...seen, value: seen.value + v.value } : v);
  }
  return [...byKey.values()];
}

/**
 * `raftka_event_loop_lag_seconds{loop, stat}`: how late this thread's event loop ran a 10 ms timer
 * since the previous scrape, p99 and max (Node's monitorEventLoopDelay). Call once per thread with
 * the registry that thread's figures reach /metrics through.
 */
export function registerEventLoopLag(registry: Registry, loop: string): void {
  const histogram = monitorEventLoopDelay({ resolution: lagResolutionMs });
  histogram.enable();
  new Gauge({
    name: 'raftka_event_loop_lag_seconds',
    help: 'How late the event loop ran a 10 ms timer since the previous scrape, by loop (main: produce, fetch, the controller; quorum: the metadata Raft) and stat (p99, max)',
    labelNames: ['loop', 'stat'],
    registers: [registry],
    collect() {
      const count = histogram.count;
      this.set({ loop, stat: 'p99' }, count > 0 ? histogram.percentile(99) / 1e9 : 0);
      this.set({ loop, stat: 'max' }, count > 0 ? histogram.max / 1e9 : 0);
      histogram.reset();
    },
  });
}

/** The sampling timer of the lag histogram. */
const lagResolutionMs = 10;
