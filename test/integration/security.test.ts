// TLS and SASL on a real broker with real clients: one combined node with a listener per security
// protocol (PLAINTEXT, SSL with ssl.client.auth=required, SASL_PLAINTEXT, SASL_SSL), driven by
// kcat (librdkafka 2.0.2) and kafkajs 2.2.4 with PLAIN and both SCRAM mechanisms; a wrong password,
// an unknown user and a client without a certificate are refused with Kafka's errors and the broker
// keeps serving; the failed-login counter counts them; raftka's own CLI works over SASL_SSL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import { createCertificates } from '../../src/security/certs.js';
import { ClusterFixture, freePorts, waitFor } from '../../src/testing/cluster-fixture.js';
import { kcat } from '../../src/testing/kcat.js';
import { raftkaCli as raftka } from '../../src/testing/raftka-cli.js';

const plainJaas =
  'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret";';

test('kcat and kafkajs over SSL, SASL_PLAINTEXT and SASL_SSL with PLAIN and SCRAM; refusals leave the broker healthy', {
  timeout: 180_000,
}, async (t) => {
  const [ssl, saslPlaintext, saslSsl] = await freePorts(3);
  const f = await ClusterFixture.combined({
    nodes: 1,
    extra: { 'group.initial.rebalance.delay.ms': '0' },
    perNode: (k, layout) => ({
      listeners: [
        `PLAINTEXT://127.0.0.1:${layout.kafka[k]}`,
        `SSL://127.0.0.1:${ssl}`,
        `SASL_PLAINTEXT://127.0.0.1:${saslPlaintext}`,
        `SASL_SSL://127.0.0.1:${saslSsl}`,
        `CONTROLLER://127.0.0.1:${layout.controller[k]}`,
      ].join(','),
      'ssl.keystore.location': 'certs/node-0.pem',
      'ssl.truststore.location': 'certs/ca.pem',
      'listener.name.ssl.ssl.client.auth': 'required',
      'listener.name.ssl.ssl.principal.mapping.rules': 'RULE:^CN=([^,]+),O=raftka$/$1/,DEFAULT',
      'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': plainJaas,
      // The authenticated principals reach the authorizer: the matrix's users are super users,
      // bob (below) has only the ACL he is given.
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'super.users': 'User:admin;User:alice;User:client',
    }),
  });
  t.after(() => f.destroy());
  const certs = join(f.configDir, 'certs');
  await createCertificates({ dir: certs, names: ['node-0', 'client'] });
  await f.up();
  const addScramUser = (name: string, mechanisms: string) =>
    raftka([
      ...['configs', '--bootstrap-controller', `127.0.0.1:${f.controllerPorts[0]}`, '--entity-type', 'users'],
      ...['--entity-name', name, '--alter', '--add-config', mechanisms],
    ]);
  await addScramUser('alice', 'SCRAM-SHA-256=[password=alice-secret],SCRAM-SHA-512=[password=alice-secret]');
  await addScramUser('bob', 'SCRAM-SHA-256=[password=bob-secret]');
  const ca = join(certs, 'ca.pem');
  const at = (port: number | undefined): string => `127.0.0.1:${port}`;
  const tls = ['-X', `ssl.ca.location=${ca}`];
  const sasl = (
    port: number | undefined,
    protocol: string,
    mechanism: string,
    user: string,
    password: string,
  ): string[] => [
    ...['-b', at(port), '-X', `security.protocol=${protocol}`, ...(protocol === 'SASL_SSL' ? tls : [])],
    ...['-X', `sasl.mechanisms=${mechanism}`, '-X', `sasl.username=${user}`, '-X', `sasl.password=${password}`],
  ];
  const kcatAs: Record<string, string[]> = {
    ssl: [
      ...['-b', at(ssl), '-X', 'security.protocol=SSL', ...tls],
      ...[
        '-X',
        `ssl.certificate.location=${join(certs, 'client.crt')}`,
        '-X',
        `ssl.key.location=${join(certs, 'client.key')}`,
      ],
    ],
    plain: sasl(saslPlaintext, 'SASL_PLAINTEXT', 'PLAIN', 'admin', 'admin-secret'),
    scram256: sasl(saslSsl, 'SASL_SSL', 'SCRAM-SHA-256', 'alice', 'alice-secret'),
    scram512: sasl(saslSsl, 'SASL_SSL', 'SCRAM-SHA-512', 'alice', 'alice-secret'),
  };
  // The SCRAM credential reaches the broker through the metadata log.
  await waitFor(
    'alice logging in',
    async () => ((await kcat([...kcatAs.scram256!, '-L'], undefined, 10_000)).code === 0 ? true : undefined),
    20_000,
    100,
  );

  await t.test('kcat produces and consumes over each protocol and mechanism', async () => {
    for (const [name, args] of Object.entries(kcatAs)) {
      const topic = `kcat-${name}`;
      const lines = ['a', 'b', 'c'].map((x) => `${name}-${x}`);
      const produced = await kcat([...args, '-P', '-t', topic], `${lines.join('\n')}\n`, 30_000);
      assert.equal(produced.code, 0, `${name}: ${produced.stderr}`);
      const read = await kcat([...args, '-C', '-t', topic, '-o', 'beginning', '-e', '-q'], undefined, 30_000);
      assert.equal(read.code, 0, `${name}: ${read.stderr}`);
      assert.deepEqual(read.stdout.trim().split('\n'), lines, name);
    }
  });

  const kafkajsAs: Record<string, Pick<KafkaConfig, 'brokers' | 'ssl' | 'sasl'>> = {
    ssl: {
      brokers: [at(ssl)],
      ssl: {
        ca: [readFileSync(ca, 'utf8')],
        cert: readFileSync(join(certs, 'client.crt'), 'utf8'),
        key: readFileSync(join(certs, 'client.key'), 'utf8'),
      },
    },
    'scram-sha-256': {
      brokers: [at(saslPlaintext)],
      sasl: { mechanism: 'scram-sha-256', username: 'alice', password: 'alice-secret' },
    },
    plain: {
      brokers: [at(saslSsl)],
      ssl: { ca: [readFileSync(ca, 'utf8')] },
      sasl: { mechanism: 'plain', username: 'alice', password: 'alice-secret' },
    },
    'scram-sha-512': {
      brokers: [at(saslSsl)],
      ssl: { ca: [readFileSync(ca, 'utf8')] },
      sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 'alice-secret' },
    },
  };
  /** `retries` 0 for the refusals: a refused login or handshake is final. */
  const kafkajs = (c: Pick<KafkaConfig, 'brokers' | 'ssl' | 'sasl'>, retries = 5): Kafka =>
    new Kafka({ ...c, clientId: 'sec-test', logLevel: logLevel.NOTHING, retry: { retries, initialRetryTime: 100 } });

  await t.test('kafkajs produces and consumes (as a group) over each protocol and mechanism', async () => {
    for (const [name, config] of Object.entries(kafkajsAs)) {
      const topic = `kafkajs-${name}`;
      const kafka = kafkajs(config);
      const admin = kafka.admin();
      const producer = kafka.producer({ allowAutoTopicCreation: true });
      const consumer = kafka.consumer({ groupId: `g-${name}`, maxWaitTimeInMs: 100 });
      const seen: string[] = [];
      // Disconnected whatever happens: a kafkajs client left open keeps the test process alive.
      try {
        await admin.connect();
        await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
        await producer.connect();
        await producer.send({ topic, messages: [{ value: `${name}-1` }, { value: `${name}-2` }] });
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
        await waitFor(`${name}: two messages consumed`, async () => (seen.length >= 2 ? true : undefined), 30_000, 50);
      } finally {
        await Promise.allSettled([admin.disconnect(), producer.disconnect(), consumer.disconnect()]);
      }
      assert.deepEqual(seen, [`${name}-1`, `${name}-2`]);
    }
  });

  await t.test('a wrong password, an unknown user and a missing client certificate are refused', async () => {
    const refused = (args: string[]) => kcat([...args, '-L', '-m', '1'], undefined, 20_000);
    const wrong = await refused(sasl(saslSsl, 'SASL_SSL', 'SCRAM-SHA-256', 'alice', 'nope'));
    const unknown = await refused(sasl(saslSsl, 'SASL_SSL', 'SCRAM-SHA-256', 'mallory', 'alice-secret'));
    const plainWrong = await refused(sasl(saslPlaintext, 'SASL_PLAINTEXT', 'PLAIN', 'admin', 'nope'));
    for (const r of [wrong, unknown, plainWrong]) assert.notEqual(r.code, 0);
    const message =
      'SASL authentication error: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256';
    assert.ok(wrong.stderr.includes(message), wrong.stderr);
    assert.ok(unknown.stderr.includes(message), unknown.stderr);
    assert.match(plainWrong.stderr, /SASL authentication error: Authentication failed: Invalid username or password/);
    const noCert = await kcat(
      ['-b', at(ssl), '-X', 'security.protocol=SSL', ...tls, '-L', '-m', '1'],
      undefined,
      20_000,
    );
    assert.notEqual(noCert.code, 0);
    assert.match(noCert.stderr, /SSL handshake failed|Broker transport failure|certificate required/i);
    await assert.rejects(
      kafkajs(
        { ...kafkajsAs['scram-sha-512']!, sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 'nope' } },
        0,
      )
        .admin()
        .connect(),
      (e: Error) => e.name === 'KafkaJSSASLAuthenticationError' && /invalid credentials/.test(e.message),
    );
    await assert.rejects(
      kafkajs({ brokers: [at(ssl)], ssl: { ca: [readFileSync(ca, 'utf8')] } }, 0)
        .admin()
        .connect(),
    );
    // The broker still serves a good client on every listener at once.
    for (const args of Object.values(kcatAs)) {
      const ok = await kcat([...args, '-L', '-m', '5'], undefined, 20_000);
      assert.equal(ok.code, 0, ok.stderr);
    }
    const metrics = await f.metrics(0);
    const failures = (mechanism: string): number =>
      metrics
        .split('\n')
        .filter(
          (l) =>
            l.startsWith('raftka_sasl_authentications_total') &&
            l.includes(`mechanism="${mechanism}"`) &&
            l.includes('result="failure"'),
        )
        .reduce((n, l) => n + Number(l.split(' ')[1]), 0);
    assert.ok(failures('SCRAM-SHA-256') >= 2, metrics);
    assert.ok(failures('SCRAM-SHA-512') >= 1);
    assert.ok(failures('PLAIN') >= 1);
    assert.match(metrics, /raftka_tls_handshake_failures_total\{listener="SSL"[^}]*\} [1-9]/);
  });

  await t.test(
    "raftka's CLI with --command-config over SASL_SSL: topics, console-producer, console-consumer",
    async () => {
      // Not in the config dir: `cluster down` reads every .properties file there as a node.
      const config = join(f.root, 'alice.properties');
      writeFileSync(
        config,
        [
          'security.protocol=SASL_SSL',
          'sasl.mechanism=SCRAM-SHA-512',
          'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="alice-secret";',
          `ssl.truststore.location=${join(certs, 'ca.pem')}`,
        ].join('\n'),
      );
      const cli = ['--bootstrap-server', at(saslSsl), '--command-config', config];
      assert.match(
        (await raftka(['topics', ...cli, '--create', '--topic', 'cli', '--partitions', '2'])).stdout,
        /Created topic cli\./,
      );
      await raftka(['console-producer', ...cli, '--topic', 'cli'], 'x\ny\n');
      const out = await raftka([
        'console-consumer',
        ...cli,
        '--topic',
        'cli',
        '--from-beginning',
        '--max-messages',
        '2',
        '--timeout-ms',
        '10000',
      ]);
      assert.deepEqual(out.stdout.trim().split('\n').sort(), ['x', 'y']);
    },
  );

  await t.test(
    'the SASL user is the principal the authorizer checks: bob writes only where an ACL lets him',
    async () => {
      const alice = sasl(saslSsl, 'SASL_SSL', 'SCRAM-SHA-256', 'alice', 'alice-secret');
      const bob = sasl(saslSsl, 'SASL_SSL', 'SCRAM-SHA-256', 'bob', 'bob-secret');
      for (const topic of ['bobs', 'not-bobs']) {
        const made = await kcat([...alice, '-P', '-t', topic], 'by alice\n', 30_000);
        assert.equal(made.code, 0, made.stderr);
      }
      const produceAsBob = (topic: string) =>
        kcat([...bob, '-P', '-t', topic, '-X', 'message.timeout.ms=3000'], 'by bob\n', 30_000);
      const refused = await produceAsBob('bobs');
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /[Aa]uthorization failed/);
      await raftka([
        ...['acls', '--bootstrap-controller', `127.0.0.1:${f.controllerPorts[0]}`, '--add'],
        ...['--allow-principal', 'User:bob', '--operation', 'WRITE', '--operation', 'DESCRIBE', '--topic', 'bobs'],
      ]);
      await waitFor(
        'bob allowed to write bobs',
        async () => ((await produceAsBob('bobs')).code === 0 ? true : undefined),
        20_000,
        200,
      );
      const stillRefused = await produceAsBob('not-bobs');
      assert.notEqual(stillRefused.code, 0);
      assert.match(stillRefused.stderr, /[Aa]uthorization failed/);
    },
  );
});
