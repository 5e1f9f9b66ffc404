// Which Kafka API versions clients really sent to a fixture's nodes, read from every node's
// raftka_kafka_requests_total{api,version} (Kafka's RequestsPerSec by request and version).
// Used by the current-client tests to assert that a client spoke the newest, flexible versions.
import type { ClusterFixture } from '../../src/testing/cluster-fixture.js';

/** Requests per "Api vN", summed over the given nodes (every node of the fixture by default). */
export async function requestsByVersion(f: ClusterFixture, nodes?: readonly number[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const index of nodes ?? f.adminPorts.map((_, k) => k)) {
    const text = await f.metrics(index);
    for (const m of text.matchAll(/^raftka_kafka_requests_total\{([^}]*)\} (\S+)$/gm)) {
      const api = /api="([^"]+)"/.exec(m[1]!)?.[1];
      const version = /version="(\d+)"/.exec(m[1]!)?.[1];
      if (api === undefined || version === undefined) continue;
      const key = `${api} v${version}`;
      out.set(key, (out.get(key) ?? 0) + Number(m[2]));
    }
  }
  return out;
}

/** What `after` counted beyond `before`: the requests sent in between, by "Api vN". */
export function sentBetween(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, n] of after) {
    const d = n - (before.get(key) ?? 0);
    if (d > 0) out.set(key, d);
  }
  return out;
}

/** The versions of `api` in a `sentBetween` result, ascending. */
export function versionsOf(sent: ReadonlyMap<string, number>, api: string): number[] {
  return [...sent.keys()]
    .filter((k) => k.startsWith(`${api} v`))
    .map((k) => Number(k.slice(api.length + 2)))
    .sort((a, b) => a - b);
}
