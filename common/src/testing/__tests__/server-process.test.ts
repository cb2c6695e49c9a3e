import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, natsServerArgs, natsServerBinary, retryWhilePortTaken, startOnFreePorts } from '..';

/**
 * A server can pass its readiness check and die a moment later: nats-server answers /varz before it
 * binds its cluster port, and exits when another process holds that port (in CI, any of the
 * parallel suites' sockets). `died()` is what lets a caller that waits for more (the cluster's
 * health) fail at once with the cause instead of timing out blind.
 */
const bin = natsServerBinary();
if (!bin) throw new Error('nats-server binary not found: run `bash scripts/ensure-bins.sh`');
const stores: string[] = [];
const held: Server[] = [];
afterAll(() => {
  for (const s of held) s.close();
  for (const d of stores) rmSync(d, { recursive: true, force: true });
});

async function holdPort(): Promise<number> {
  const port = await freePort();
  const srv = createServer();
  held.push(srv);
  await new Promise<void>((done) => srv.listen(port, '127.0.0.1', done));
  return port;
}

function natsNode(ports: number[], clusterPort: number) {
  const store = mkdtempSync(join(tmpdir(), 'jetmart-server-process-'));
  stores.push(store);
  const [port, monitorPort] = ports;
  return startOnFreePorts({
    name: 'nats-server n1',
    bin: bin!,
    portCount: 2,
    ports,
    args: () =>
      natsServerArgs({
        port: port!,
        monitorPort: monitorPort!,
        storeDir: store,
        cluster: { serverName: 'n1', clusterName: 'died-test', port: clusterPort, routes: `nats://127.0.0.1:${clusterPort}` },
      }),
    ready: async () => (await fetch(`http://127.0.0.1:${monitorPort}/varz`)).ok,
  });
}

/**
 * A node on free ports. The ports are the caller's (startOnFreePorts does not retry them), and in
 * CI another suite's socket can take one between freePort() and the bind: the very race this
 * file is about. So a node that must come up is started again on new ports then.
 */
const runningNode = () => retryWhilePortTaken(async () => natsNode([await freePort(), await freePort()], await freePort()), 5);

async function until<T>(read: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = read();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a server that dies after it was ready, not stopped by its owner, says so with its output', async () => {
  const server = await runningNode();
  expect(server.died()).toBeUndefined();
  // Killed by someone else (as the cluster port's bind failure kills it, which cannot be timed
  // after /varz reliably: on a busy machine the node can die before its first answer).
  process.kill(server.pid!, 'SIGKILL');
  const death = await until(() => server.died());
  // Its output as far as it got: a cluster node answers /varz before it logs "Server is ready",
  // so on a busy machine the kill can come first.
  expect(death.message).toMatch(/^nats-server n1 exited with SIGKILL: .*Starting nats-server/s);
  expect(server.pid).toBeUndefined();
});

test('a node whose cluster port is taken exits with the cause, before or after it was ready', async () => {
  const server = await natsNode([await freePort(), await freePort()], await holdPort()).catch((err: Error) => err);
  const death = server instanceof Error ? server : await until(() => server.died());
  expect(death.message).toMatch(/nats-server n1 exited with 1: .*address already in use/s);
});

test('a server stopped by its owner, or still running, has not died', async () => {
  const server = await runningNode();
  await new Promise((r) => setTimeout(r, 300));
  expect(server.died()).toBeUndefined();
  expect(server.pid).toBeDefined();
  await server.stop('SIGKILL');
  expect(server.pid).toBeUndefined();
  expect(server.died()).toBeUndefined();
  // Started again, it is watched again.
  await server.start();
  expect(server.died()).toBeUndefined();
  await server.stop();
});
