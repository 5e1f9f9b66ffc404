// Small helpers the benchmarks in test/bench/ share: percentiles and medians, MiB, timing kcat
// runs (wall and kcat's own CPU), a steady-rate sender for latency figures, and the machine's own
// loopback TCP and sequential disk write speeds (the ceilings other figures are compared with),
// waiting for a cluster's brokers.
import { spawn } from 'node:child_process';
import { closeSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { waitFor } from '../../src/testing/cluster-fixture.js';
import { kcat } from '../../src/testing/kcat.js';

export const mib = (bytes: number): number => bytes / (1024 * 1024);

/** The p-th percentile (0-100) of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function median(xs: readonly number[]): number {
  return percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
}

/** kcat with stdin from a file (or none): wall seconds, and kcat's own CPU seconds (bash's `time`). */
export function timedKcat(
  args: readonly string[],
  stdinFile?: string,
): Promise<{ seconds: number; cpuSeconds: number; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('bash', ['-c', 'TIMEFORMAT="cpu %U %S"; time kcat "$@"', '--', ...args], {
      stdio: [stdinFile ? openSync(stdinFile, 'r') : 'ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(err);
      if (!m || code !== 0) process.stderr.write(err);
      resolve({
        seconds: (performance.now() - started) / 1000,
        cpuSeconds: m ? Number(m[1]) + Number(m[2]) : Number.NaN,
        code,
        stderr: err,
      });
    });
  });
}

/**
 * Calls `send` `rate` times a second for `seconds`, each call started on schedule whether or not
 * earlier ones finished; resolves with every call's latency in ms, ascending (failures throw).
 */
export async function steadyLatencies(rate: number, seconds: number, send: () => Promise<unknown>): Promise<number[]> {
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  const inFlight: Promise<unknown>[] = [];
  const started = performance.now();
  let issued = 0;
  while (issued < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
    for (; issued < due; issued++) {
      const t0 = performance.now();
      inFlight.push(send().then(() => latencies.push(performance.now() - t0)));
    }
    await new Promise((r) => setTimeout(r, 1)); // the sending cadence, not synchronisation
  }
  await Promise.all(inFlight);
  return latencies.sort((a, b) => a - b);
}

/** One TCP stream over 127.0.0.1: MiB/s moving `bytes` in 1 MiB writes. */
export async function loopbackMiBps(bytes = 2 * 1024 ** 3): Promise<number> {
  let received = 0;
  let done: () => void = () => undefined;
  const all = new Promise<void>((r) => (done = r));
  const server = createServer((s) =>
    s.on('data', (c: Buffer) => {
      received += c.length;
      if (received >= bytes) done();
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const sock = connect({ host: '127.0.0.1', port });
  await new Promise<void>((r) => sock.once('connect', r));
  const chunk = Buffer.alloc(1024 * 1024, 7);
  const started = performance.now();
  for (let sent = 0; sent < bytes; sent += chunk.length) {
    if (!sock.write(chunk)) await new Promise<void>((r) => sock.once('drain', r));
  }
  await all;
  const seconds = (performance.now() - started) / 1000;
  sock.destroy();
  server.close();
  return mib(bytes) / seconds;
}

/** Sequential writes of `bytes` in 1 MiB blocks to `file`, then one fsync: MiB/s. */
export function diskWriteMiBps(file: string, bytes = 1024 ** 3): number {
  const chunk = Buffer.alloc(1024 * 1024, 7);
  const fd = openSync(file, 'w');
  const started = performance.now();
  for (let written = 0; written < bytes; written += chunk.length) writeSync(fd, chunk);
  fsyncSync(fd);
  const seconds = (performance.now() - started) / 1000;
  closeSync(fd);
  rmSync(file);
  return mib(bytes) / seconds;
}

/** Waits until kcat's metadata of `bootstrap` lists `count` brokers. */
export async function waitForBrokers(bootstrap: string, count: number): Promise<void> {
  await waitFor(
    `${count} brokers`,
    async () =>
      (await kcat(['-b', bootstrap, '-L', '-m', '3'])).stdout.includes(`${count} brokers`) ? true : undefined,
    60_000,
    200,
  );
}
