// The broker's side of registration and heartbeats against a scripted controller: it asks to stay
// fenced until the controller says it has caught up with the metadata log and the broker is ready
// (its partition logs open), hosts partitions only from that first catch-up, says so at once
// when it becomes ready, and re-registers when its registration is lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { ErrorCode } from '../../src/common/errors.js';
import { parseNodeConfig } from '../../src/common/config.js';
import { BrokerLifecycle } from '../../src/broker/broker-lifecycle.js';
import type { ControllerRequest, ControllerResponse } from '../../src/client/controller-client.js';
import { waitFor } from '../../src/testing/cluster-fixture.js';

const configWith = (heartbeatMs: number, sessionMs: number) =>
  parseNodeConfig(
    new Map([
      ['node.id', '4'],
      ['process.roles', 'broker'],
      ['controller.quorum.voters', '1@127.0.0.1:9093'],
      ['listeners', 'PLAINTEXT://127.0.0.1:9092'],
      ['controller.listener.names', 'CONTROLLER'],
      ['log.dirs', '/nonexistent/raftka-lifecycle-test'],
      ['broker.heartbeat.interval.ms', String(heartbeatMs)],
      ['broker.session.timeout.ms', String(sessionMs)],
    ]),
    'test.properties',
  );
/** Heartbeats in the first test are driven by the answers, not the timer. */
const config = configWith(60_000, 120_000);

type Registered = ControllerResponse<'RegisterBroker'>;
type Heartbeat = ControllerResponse<'BrokerHeartbeat'>;
const registered = (brokerEpoch: number): Registered => ({
  errorCode: 0,
  errorMessage: '',
  brokerEpoch,
  controller: null,
});
const heartbeat = (answer: Partial<Heartbeat>): Heartbeat => ({
  errorCode: 0,
  isCaughtUp: false,
  isFenced: false,
  shouldShutDown: false,
  controller: null,
  ...answer,
});

/** A controller that answers heartbeats from a script and records what the broker asked. */
class ScriptedController {
  readonly heartbeats: { wantFence: boolean; offset: number; epoch: number }[] = [];
  registrations = 0;
  caughtUpAt = 100;
  epoch = 10;
  lostRegistration = false;
  fenced = true;

  async registerBroker(): Promise<Registered> {
    this.registrations++;
    this.fenced = true;
    return registered(++this.epoch);
  }

  async brokerHeartbeat(req: ControllerRequest<'BrokerHeartbeat'>): Promise<Heartbeat> {
    const hb = {
      wantFence: Boolean(req.wantFence),
      offset: Number(req.currentMetadataOffset),
      epoch: Number(req.brokerEpoch),
    };
    this.heartbeats.push(hb);
    if (this.lostRegistration) {
      this.lostRegistration = false;
      return heartbeat({ errorCode: ErrorCode.STALE_BROKER_EPOCH });
    }
    const caughtUp = hb.offset >= this.caughtUpAt;
    if (caughtUp && !hb.wantFence) this.fenced = false;
    if (hb.wantFence) this.fenced = true;
    return heartbeat({
      errorCode: 0,
      isCaughtUp: caughtUp,
      isFenced: this.fenced,
      shouldShutDown: Boolean(req.wantShutDown),
    });
  }

  close(): void {}
}

test('a broker stays fenced until caught up and ready, hosts only after catching up, and says it is ready at once', async (t) => {
  const controller = new ScriptedController();
  let offset = 0;
  let ready = false;
  let caughtUpCalls = 0;
  const lifecycle = new BrokerLifecycle({
    config,
    clusterId: 'AAAAAAAAAAAAAAAAAAAAAA',
    logger: pino({ level: 'silent' }),
    metadataOffset: () => offset,
    onCaughtUp: () => caughtUpCalls++,
    readyToUnfence: () => ready,
    client: controller,
  });
  t.after(() => lifecycle.shutdown());
  lifecycle.start();
  await waitFor(
    'registered and one heartbeat',
    async () => (controller.heartbeats.length >= 1 ? true : undefined),
    5000,
    5,
  );
  assert.equal(controller.registrations, 1);
  assert.deepEqual(
    controller.heartbeats[0],
    { wantFence: true, offset: 0, epoch: 11 },
    'behind the metadata log: asks to stay fenced',
  );
  assert.equal(caughtUpCalls, 0, 'not caught up: the image is not acted on');
  assert.equal(lifecycle.state, 'fenced');

  // Caught up but its partition logs are still opening: still fenced.
  offset = 150;
  lifecycle.nudge(); // not ready: no heartbeat
  void (lifecycle as unknown as { step(): Promise<void> }).step();
  await waitFor(
    'a heartbeat at the new offset',
    async () => (controller.heartbeats.some((h) => h.offset === 150) ? true : undefined),
    5000,
    5,
  );
  assert.equal(caughtUpCalls, 1, 'caught up: partitions are hosted from now on');
  assert.ok(
    controller.heartbeats.filter((h) => h.offset === 150).every((h) => h.wantFence),
    'not ready: asks to stay fenced',
  );
  assert.equal(lifecycle.state, 'fenced');

  // Ready: the broker heartbeats at once (not a 60 s interval later) and is unfenced.
  const before = controller.heartbeats.length;
  ready = true;
  lifecycle.nudge();
  await waitFor('unfenced', async () => (lifecycle.state === 'running' ? true : undefined), 5000, 5);
  assert.equal(controller.heartbeats.at(-1)!.wantFence, false);
  assert.ok(controller.heartbeats.length > before);

  // Readiness is latched: a later "not ready" (new partitions opening) never asks to be fenced.
  ready = false;
  void (lifecycle as unknown as { step(): Promise<void> }).step();
  await waitFor(
    'another heartbeat',
    async () => (controller.heartbeats.length > before + 1 ? true : undefined),
    5000,
    5,
  );
  assert.ok(controller.heartbeats.slice(before).every((h) => !h.wantFence));
  assert.equal(lifecycle.state, 'running');

  // A lost registration is redone; onCaughtUp is not called twice.
  controller.lostRegistration = true;
  const step = (lifecycle as unknown as { step(): Promise<void> }).step.bind(lifecycle);
  // STALE_BROKER_EPOCH: the registration is dropped (a step while another is on its way does nothing).
  await waitFor(
    'registration dropped',
    async () => {
      await step();
      return lifecycle.state === 'registering' ? true : undefined;
    },
    5000,
    5,
  );
  await step(); // registers again
  await waitFor(
    'registered again',
    async () => (controller.registrations === 2 && lifecycle.state === 'running' ? true : undefined),
    5000,
    5,
  );
  assert.equal(controller.heartbeats.at(-1)!.epoch, 12);
  assert.equal(caughtUpCalls, 1);
});

test('controlled shutdown retries an unanswered controller while the quorum has a leader, and gives up when it has none', async () => {
  const fast = configWith(300, 3000);
  const run = async (quorumHasLeader: () => boolean, answerAfterFailures: number): Promise<number[]> => {
    const timeouts: number[] = [];
    let isRegistered = false;
    const lifecycle = new BrokerLifecycle({
      config: fast,
      clusterId: 'AAAAAAAAAAAAAAAAAAAAAA',
      logger: pino({ level: 'silent' }),
      metadataOffset: () => 0,
      quorumHasLeader,
      client: {
        async registerBroker(): Promise<Registered> {
          isRegistered = true;
          return registered(7);
        },
        async brokerHeartbeat(
          req: ControllerRequest<'BrokerHeartbeat'>,
          opts?: { timeoutMs?: number },
        ): Promise<Heartbeat> {
          if (!req.wantShutDown)
            return heartbeat({ errorCode: 0, isCaughtUp: true, isFenced: false, shouldShutDown: false });
          timeouts.push(opts?.timeoutMs ?? Infinity);
          if (timeouts.length <= answerAfterFailures) throw new Error('no controller answered');
          return heartbeat({ errorCode: 0, isCaughtUp: true, isFenced: true, shouldShutDown: true });
        },
        close(): void {},
      },
    });
    lifecycle.start();
    await waitFor(
      'registered',
      async () => (isRegistered && lifecycle.state === 'running' ? true : undefined),
      5000,
      5,
    );
    await lifecycle.shutdown();
    assert.equal(lifecycle.state, 'stopped');
    return timeouts;
  };
  // The whole cluster stopping: no quorum leader, one unanswered try ends the wait.
  const alone = await run(() => false, Infinity);
  assert.equal(alone.length, 1);
  assert.ok(alone[0]! <= 600, `bounded like a heartbeat, not the 10 s controlled-shutdown bound (${alone[0]} ms)`);
  // A controller that is slow once (or moving): tried again until it lets the broker go.
  const slow = await run(() => true, 2);
  assert.equal(slow.length, 3, 'two unanswered tries, then the answer');
});
