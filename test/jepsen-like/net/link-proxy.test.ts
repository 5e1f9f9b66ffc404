// LinkProxy with plain sockets: bytes flow both ways; a blocked direction holds them (the other
// direction still flows) and delivers them, in order, once it lifts; a connection opened while
// the link is blocked is not connected upstream until then; delay holds each chunk. HarnessNet's
// shapes block the right directions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { HarnessNet, ProxyBackend } from '../../../jepsen-like/src/net/harness-net.js';
import { LinkProxy, healthyLink } from '../../../jepsen-like/src/net/link-proxy.js';
import { waitFor } from '../../../src/testing/cluster-fixture.js';

/** An echo-less server that records what it receives and lets the test write back. */
async function upstream(t: {
  after: (fn: () => Promise<void>) => void;
}): Promise<{ port: number; received: () => string; sockets: Socket[]; accepted: () => number }> {
  let data = '';
  const sockets: Socket[] = [];
  const server: Server = createServer((s) => {
    sockets.push(s);
    s.on('data', (b: Buffer) => (data += b.toString()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return {
    port: (server.address() as { port: number }).port,
    received: () => data,
    sockets,
    accepted: () => sockets.length,
  };
}

async function client(port: number): Promise<{ socket: Socket; received: () => string }> {
  let data = '';
  const socket = connect(port, '127.0.0.1');
  socket.on('data', (b: Buffer) => (data += b.toString()));
  await new Promise<void>((r) => socket.once('connect', () => r()));
  return { socket, received: () => data };
}

test('bytes flow both ways; a blocked direction holds its bytes and delivers them in order when it lifts', async (t) => {
  const up = await upstream(t);
  const proxy = new LinkProxy(1, 2, { host: '127.0.0.1', port: up.port }, 'replica');
  const port = await proxy.start();
  t.after(() => proxy.close());
  const c = await client(port);
  t.after(() => c.socket.destroy());
  c.socket.write('a');
  await waitFor('a upstream', async () => (up.received() === 'a' ? true : undefined), 5000, 5);
  up.sockets[0]!.write('x');
  await waitFor('x back', async () => (c.received() === 'x' ? true : undefined), 5000, 5);

  proxy.setFaults({ blockForward: true, blockBackward: false, delayMs: 0 });
  c.socket.write('b');
  c.socket.write('c');
  up.sockets[0]!.write('y');
  await waitFor('y back while forward is blocked', async () => (c.received() === 'xy' ? true : undefined), 5000, 5);
  // Nothing forward arrives while blocked: give it a fair chance to leak, measured by the backward path.
  up.sockets[0]!.write('z');
  await waitFor('z back', async () => (c.received() === 'xyz' ? true : undefined), 5000, 5);
  assert.equal(up.received(), 'a');
  proxy.setFaults(healthyLink);
  await waitFor(
    'b and c, in order, after the block lifts',
    async () => (up.received() === 'abc' ? true : undefined),
    5000,
    5,
  );
});

test('a connection opened while the link is blocked reaches the listener only once it lifts; delay holds chunks', async (t) => {
  const up = await upstream(t);
  const proxy = new LinkProxy('client', 1, { host: '127.0.0.1', port: up.port });
  const port = await proxy.start();
  t.after(() => proxy.close());
  proxy.setFaults({ blockForward: true, blockBackward: true, delayMs: 0 });
  const c = await client(port);
  t.after(() => c.socket.destroy());
  c.socket.write('hello');
  await waitFor(
    'the proxy to hold the connection',
    async () => (proxy.connectionCount === 1 ? true : undefined),
    5000,
    5,
  );
  assert.equal(up.accepted(), 0);
  proxy.setFaults({ blockForward: false, blockBackward: false, delayMs: 150 });
  const lifted = Date.now();
  await waitFor('hello upstream', async () => (up.received() === 'hello' ? true : undefined), 5000, 5);
  assert.ok(Date.now() - lifted >= 140, `delayed ${Date.now() - lifted} ms`);
});

test('HarnessNet shapes: partition, one-way cut by listener kind, majorities ring, client isolation, heal', () => {
  const links = [1, 2, 3].flatMap((a) =>
    [1, 2, 3].filter((b) => b !== a).map((b) => new LinkProxy(a, b, { host: '127.0.0.1', port: 1 }, 'controller')),
  );
  const net = new HarnessNet(new ProxyBackend(links));
  const state = (a: number, b: number) => links.find((l) => l.from === a && l.to === b)!.state;
  net.partition([[1], [2, 3]]);
  assert.equal(net.describe(), '1↛2 1↛3 2↛1 3↛1');
  assert.deepEqual(state(1, 2), { blockForward: true, blockBackward: true, delayMs: 0 });
  assert.deepEqual(state(2, 3), healthyLink);
  net.heal();
  assert.equal(net.describe(), 'healthy');
  net.cut(2, 1, 'replica');
  assert.deepEqual(state(2, 1), healthyLink, 'a replica-only cut leaves controller links alone');
  net.heal();
  net.cut(2, 1);
  assert.deepEqual(state(2, 1), { blockForward: true, blockBackward: false, delayMs: 0 });
  assert.deepEqual(
    state(1, 2),
    { blockForward: false, blockBackward: true, delayMs: 0 },
    "replies from 2 on 1's connections are dropped too",
  );
  net.heal();
  net.ring([1, 2, 3]);
  assert.equal(net.describe(), '1↛3 2↛1 3↛2');
  net.heal();
  net.isolateClients([2]);
  assert.equal(net.describe(), 'client↛2');
});
