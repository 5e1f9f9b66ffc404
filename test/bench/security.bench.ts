// Produce throughput over SASL_SSL (TLS + SCRAM-SHA-512) against PLAINTEXT on the same broker in
// one run: one combined node with both listeners, kcat (librdkafka) producing 1 KiB messages,
// alternating the two listeners round by round (the order flips each round so neither always
// runs on a warmer broker). Prints each run with the broker's and kcat's CPU, each round's ratio
// (SASL_SSL / PLAINTEXT, the two runs next to each other, so a load change on a shared machine
// touches both), the median of those ratios (the figure against the goal ≥ 0.7), and the medians
// of the rates. `npm run bench -- security` (SECURITY_BENCH_MESSAGES=N, default 100,000;
// SECURITY_BENCH_ROUNDS=R, default 5).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificates } from '../../src/security/certs.js';
import { ClusterFixture, freePorts, waitFor } from '../../src/testing/cluster-fixture.js';
import { kcat } from '../../src/testing/kcat.js';
import { repoPath } from '../../src/common/paths.js';
import { execFileSync } from 'node:child_process';
import { median, mib, timedKcat } from './bench-util.js';

const messages = Number(process.env['SECURITY_BENCH_MESSAGES'] ?? 100_000);
const rounds = Number(process.env['SECURITY_BENCH_ROUNDS'] ?? 5);
const messageBytes = 1024;

/** The broker's process CPU seconds, from its /metrics. */
async function brokerCpuSeconds(f: ClusterFixture): Promise<number> {
  const line = (await f.metrics(0)).split('\n').find((l) => l.startsWith('process_cpu_seconds_total'));
  return Number(line?.split(' ').at(-1));
}

const work = mkdtempSync(join(tmpdir(), 'raftka-secbench-'));
const input = join(work, 'messages.txt');
// Uncompressed produce (-z none), so the bytes need not vary: 1023 characters and a newline each.
writeFileSync(input, `${'v'.repeat(messageBytes - 1)}\n`.repeat(messages));

const [saslSslPort] = await freePorts(1);
const f = await ClusterFixture.combined({
  nodes: 1,
  perNode: (k, layout) => ({
    listeners: `PLAINTEXT://127.0.0.1:${layout.kafka[k]},SASL_SSL://127.0.0.1:${saslSslPort},CONTROLLER://127.0.0.1:${layout.controller[k]}`,
    'ssl.keystore.location': 'certs/node-0.pem',
    'sasl.enabled.mechanisms': 'SCRAM-SHA-512',
  }),
});
try {
  const certs = join(f.configDir, 'certs');
  await createCertificates({ dir: certs, names: ['node-0'] });
  await f.up();
  execFileSync(process.execPath, [
    repoPath('bin', 'raftka.js'),
    ...['configs', '--bootstrap-controller', `127.0.0.1:${f.controllerPorts[0]}`, '--entity-type', 'users'],
    ...['--entity-name', 'bench', '--alter', '--add-config', 'SCRAM-SHA-512=[password=bench-secret]'],
  ]);
  const plaintext = ['-b', f.bootstrapServers];
  const saslSsl = [
    ...[
      '-b',
      `127.0.0.1:${saslSslPort}`,
      '-X',
      'security.protocol=SASL_SSL',
      '-X',
      `ssl.ca.location=${join(certs, 'ca.pem')}`,
    ],
    ...['-X', 'sasl.mechanisms=SCRAM-SHA-512', '-X', 'sasl.username=bench', '-X', 'sasl.password=bench-secret'],
  ];
  // The producer settings of kafka-throughput.bench.ts: big batches, a short linger, no compression.
  const producerOptions = '-z none -X linger.ms=5 -X batch.size=1000000 -X queue.buffering.max.kbytes=1048576'.split(
    ' ',
  );
  const listeners: Record<string, string[]> = { PLAINTEXT: plaintext, SASL_SSL: saslSsl };
  for (const [name, args] of Object.entries(listeners)) {
    const topic = `bench-${name.toLowerCase()}`;
    await kcat([...args, '-L', '-t', topic, '-m', '5']); // auto-creates it
    await waitFor(
      `${topic} led`,
      async () => ((await kcat([...args, '-L', '-t', topic])).stdout.includes('leader 1') ? true : undefined),
      30_000,
      100,
    );
  }
  const rates: Record<string, number[]> = { PLAINTEXT: [], SASL_SSL: [] };
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? ['PLAINTEXT', 'SASL_SSL'] : ['SASL_SSL', 'PLAINTEXT'];
    for (const name of order) {
      const cpuBefore = await brokerCpuSeconds(f);
      const p = await timedKcat(
        [...listeners[name]!, '-P', '-t', `bench-${name.toLowerCase()}`, '-p', '0', ...producerOptions],
        input,
      );
      if (p.code !== 0) throw new Error(`kcat produce over ${name} failed (${p.code})`);
      const brokerCpu = (await brokerCpuSeconds(f)) - cpuBefore;
      const rate = mib(messages * messageBytes) / p.seconds;
      rates[name]!.push(rate);
      console.log(
        `round ${r + 1} ${name.padEnd(9)} produce ${rate.toFixed(1)} MiB/s ${(messages / p.seconds).toFixed(0)} msgs/s ` +
          `(wall ${p.seconds.toFixed(2)} s, broker CPU ${brokerCpu.toFixed(2)} s, kcat CPU ${p.cpuSeconds.toFixed(2)} s)`,
      );
    }
    const ratio = rates['SASL_SSL']![r]! / rates['PLAINTEXT']![r]!;
    ratios.push(ratio);
    console.log(`round ${r + 1} ratio SASL_SSL / PLAINTEXT ${ratio.toFixed(2)}`);
  }
  const plain = median(rates['PLAINTEXT']!);
  const secure = median(rates['SASL_SSL']!);
  console.log(
    `median produce: PLAINTEXT ${plain.toFixed(1)} MiB/s, SASL_SSL ${secure.toFixed(1)} MiB/s (ratio of the medians ${(secure / plain).toFixed(2)}) — ${messages} x 1 KiB per round, ${rounds} rounds, kcat, TLS 1.3, SCRAM-SHA-512`,
  );
  console.log(
    `ratios per round: ${ratios.map((x) => x.toFixed(2)).join(' ')}; median ratio ${median(ratios).toFixed(2)} (goal >= 0.7)`,
  );
} finally {
  await f.destroy();
  rmSync(work, { recursive: true, force: true });
}
