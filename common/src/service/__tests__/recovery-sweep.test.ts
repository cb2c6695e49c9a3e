/**
 * RecoverySweep, the running shared by orders' and payments' sweepers: when a pass scans, and
 * when stopping gives the lease back. Real timers and a real MongoDB-wire server; the sweeps'
 * own work is tested in their services.
 */
import mongoose from 'mongoose';
import { createLogger, RecoverySweep } from '../..';
import { useTestDatabase } from '../../testing';

const logger = createLogger('test', { level: 'silent' });
useTestDatabase();

const leases = () => mongoose.connection.db!.collection<{ _id: string; role: string; expiresAt: Date }>('_leases');

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const started: RecoverySweep[] = [];
afterEach(() => Promise.all(started.splice(0).map((s) => s.stop())));

/** A sweep whose passes record whether they scanned, with `unfinished` noted work. */
function recordingSweep(role: string, { unfinished = (): number => 0, leaseTtlMs = 30_000, intervalMs = 20 } = {}) {
  const scanned: boolean[] = [];
  const sweep: RecoverySweep = new RecoverySweep(mongoose.connection, role, {
    what: `${role} pass`,
    pass: async () => void scanned.push(sweep.scans.due(Date.now())),
    unfinished,
    intervalMs,
    fullScanIntervalMs: 3_600_000,
    leaseTtlMs,
    logger,
  });
  started.push(sweep);
  return { sweep, scanned };
}

it('scans on its first pass after start, then only works through what it noted', async () => {
  const { sweep, scanned } = recordingSweep('sweep-a');
  sweep.start();
  await until('three passes', () => scanned.length >= 3);
  await sweep.stop();
  expect(scanned.slice(0, 3)).toEqual([true, false, false]);
});

it('a peer whose lease expired owes a scan on the next pass', async () => {
  const { sweep, scanned } = recordingSweep('sweep-b', { leaseTtlMs: 300 });
  sweep.start();
  await until('the start-up scan and a pass after it', () => scanned.length >= 2);
  expect(scanned.slice(1).every((s) => !s)).toBe(true);
  const before = scanned.length;
  await leases().insertOne({ _id: 'sweep-b:dead', role: 'sweep-b', expiresAt: new Date(Date.now() - 1) });
  await until('a scan after the peer was found dead', () => scanned.slice(before).includes(true));
  await sweep.stop();
  expect(await leases().findOne({ _id: 'sweep-b:dead' })).toBeNull();
});

it('stop gives the lease back only when no scan is owed and nothing noted is unfinished', async () => {
  const clean = recordingSweep('sweep-c');
  let left = 1;
  const busy = recordingSweep('sweep-d', { unfinished: () => left });
  const early = recordingSweep('sweep-e', { intervalMs: 3_600_000 });
  for (const s of [clean, busy]) s.sweep.start();
  await until('a pass of each after its lease was written', async () => {
    const held = await leases().countDocuments({ role: { $in: ['sweep-c', 'sweep-d'] } });
    return held === 2 && clean.scanned.length > 0 && busy.scanned.length > 0;
  });
  await clean.sweep.stop();
  await busy.sweep.stop();
  left = 0;
  expect(await leases().countDocuments({ role: 'sweep-c' })).toBe(0);
  expect(await leases().countDocuments({ role: 'sweep-d' })).toBe(1);

  // Stopped before its first pass: the start-up scan is still owed, so the lease stays to expire.
  early.sweep.start();
  await until('its lease', async () => (await leases().countDocuments({ role: 'sweep-e' })) === 1);
  expect(early.scanned).toEqual([]);
  await early.sweep.stop();
  expect(await leases().countDocuments({ role: 'sweep-e' })).toBe(1);
});
