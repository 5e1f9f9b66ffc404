// Single-broker produce and consume throughput with kcat (librdkafka), 1 KiB messages,
// uncompressed and lz4, beside this machine's loopback TCP and disk-write limits measured in the
// same run, so the figures read as ratios. `npm run bench -- kafka-throughput`
// (THROUGHPUT_MESSAGES=N, default 200,000).
import { createServer, connect } from 'node:net';
import { mkdtempSync, openSync, writeSync, fsyncSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';
import { kcat } from '../../src/testing/kcat.js';

const messages = Number(process.env['THROUGHPUT_MESSAGES'] ?? 200_000);
const messageBytes = 1024;
const mib = (bytes: number): number => bytes / (1024 * 1024);

/** Node-to-node loopback TCP: MiB/s moving `total` bytes through one connection. */
async function loopbackMiBs(total: number): Promise<number> {
  let received = 0;
  const server = createServer((s) => s.on('data', (b: Buffer) => (received += b.length)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const chunk = Buffer.alloc(1024 * 1024, 7);
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const c = connect(port, '127.0.0.1', () => {
      let sent = 0;
      const pump = (): void => {
        while (sent < total) {
          sent += chunk.length;
          if (!c.write(chunk)) return void c.once('drain', pump);
        }
        c.end();
      };
      pump();
    });
    c.on('close', () => resolve());
  });
  await waitFor('all bytes received', async () => (received >= total ? true : undefined), 30_000, 1);
  const seconds = (performance.now() - started) / 1000;
  server.close();
  return mib(total) / seconds;
}

/** Sequential file writes of 1 MiB with one fsync at the end: MiB/s. */
function diskMiBs(dir: string, total: number): number {
  const path = join(dir, 'disk-probe');
  const chunk = Buffer.alloc(1024 * 1024, 9);
  const started = performance.now();
  const fd = openSync(path, 'w');
  for (let done = 0; done < total; done += chunk.length) writeSync(fd, chunk);
  fsyncSync(fd);
  closeSync(fd);
  const seconds = (performance.now() - started) / 1000;
  rmSync(path);
  return mib(total) / seconds;
}

/** Run kcat with stdin from a file, timing the whole process. */
function timedKcat(
  args: readonly string[],
  stdinFile: string | null,
): Promise<{ seconds: number; stdoutBytes: number; code: number | null }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('kcat', args, { stdio: [stdinFile ? openSync(stdinFile, 'r') : 'ignore', 'pipe', 'inherit'] });
    let stdoutBytes = 0;
    child.stdout!.on('data', (b: Buffer) => (stdoutBytes += b.length));
    child.on('error', reject);
    child.on('close', (code) => resolve({ seconds: (performance.now() - started) / 1000, stdoutBytes, code }));
  });
}

const work = mkdtempSync(join(tmpdir(), 'raftka-bench-'));
const input = join(work, 'messages.txt');
// 1 KiB values (1023 characters + newline), distinct so compression is realistic but not free.
const lines: string[] = [];
for (let i = 0; i < messages; i++)
  lines.push((`${i}-`.repeat(300) + 'x'.repeat(messageBytes)).slice(0, messageBytes - 1));
writeFileSync(input, `${lines.join('\n')}\n`);
const payloadMiB = mib(messages * messageBytes);

const f = await ClusterFixture.combined({ nodes: 1 });
try {
  await f.up();
  const bs = f.bootstrapServers;
  await waitFor(
    'broker up',
    async () => ((await kcat(['-b', bs, '-L', '-m', '3'])).stdout.includes('1 brokers') ? true : undefined),
    60_000,
    200,
  );
  const loop = await loopbackMiBs(1024 * 1024 * 1024);
  const disk = diskMiBs(f.dataDir, 1024 * 1024 * 1024);
  console.log(
    `machine: loopback TCP ${loop.toFixed(0)} MiB/s (node to node), disk sequential write+fsync ${disk.toFixed(0)} MiB/s`,
  );
  for (const codec of ['none', 'lz4']) {
    const topic = `bench-${codec}`;
    await kcat(['-b', bs, '-L', '-t', topic, '-m', '5']); // auto-creates it with 1 partition
    await waitFor(
      `${topic} led`,
      async () => ((await kcat(['-b', bs, '-L', '-t', topic])).stdout.includes('leader 1') ? true : undefined),
      30_000,
      100,
    );
    const p = await timedKcat(
      [
        '-b',
        bs,
        '-P',
        '-t',
        topic,
        '-p',
        '0',
        '-z',
        codec,
        '-X',
        'linger.ms=5',
        '-X',
        'batch.size=1000000',
        '-X',
        'queue.buffering.max.kbytes=1048576',
      ],
      input,
    );
    const c = await timedKcat(
      ['-b', bs, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%s\n'],
      null,
    );
    if (p.code !== 0 || c.code !== 0) throw new Error(`kcat failed (${p.code}, ${c.code})`);
    if (c.stdoutBytes !== messages * messageBytes)
      throw new Error(`consumed ${c.stdoutBytes} bytes, expected ${messages * messageBytes}`);
    const pr = payloadMiB / p.seconds;
    const cr = payloadMiB / c.seconds;
    console.log(
      `${codec.padEnd(5)} produce ${pr.toFixed(1)} MiB/s ${(messages / p.seconds).toFixed(0)} msgs/s (${(pr / loop).toFixed(3)} of loopback, ${(pr / disk).toFixed(3)} of disk) | ` +
        `consume ${cr.toFixed(1)} MiB/s ${(messages / c.seconds).toFixed(0)} msgs/s (${(cr / loop).toFixed(3)} of loopback)`,
    );
  }
} finally {
  await f.destroy();
  rmSync(work, { recursive: true, force: true });
}
