import mongoose from 'mongoose';
import { createLogger, RecoveryLease, RecoveryScans } from '../..';
import { useTestDatabase } from '../../testing';

const logger = createLogger('test', { level: 'silent' });
useTestDatabase();

const leases = () => mongoose.connection.db!.collection<{ _id: string; expiresAt: Date }>('_leases');

describe('RecoveryLease (who is alive, so that only a dead holder leftovers are scanned for)', () => {
  // Renewals are driven by hand with explicit clocks: no timers, no waiting.
  it('reports a holder that stopped renewing once, and never a live one', async () => {
    let lostA = 0;
    let lostB = 0;
    const a = new RecoveryLease(mongoose.connection, 'relay', { ttlMs: 1_000, logger }).onPeerLost(() => lostA++);
    const b = new RecoveryLease(mongoose.connection, 'relay', { ttlMs: 1_000, logger }).onPeerLost(() => lostB++);
    const other = new RecoveryLease(mongoose.connection, 'sweeper', { ttlMs: 1_000, logger });
    const t0 = Date.now();
    await a.renew(t0);
    await b.renew(t0);
    await other.renew(t0 - 10_000); // long expired, but of another role: not a's business
    await a.renew(t0 + 900);
    expect(lostA).toBe(0);

    // b renewed last at t0 (expires t0 + 1000): dead for a at t0 + 1500.
    await a.renew(t0 + 1_500);
    expect(lostA).toBe(1);
    expect(await leases().findOne({ _id: b.id })).toBeNull();
    expect(await leases().findOne({ _id: other.id })).not.toBeNull();
    await a.renew(t0 + 1_600);
    expect(lostA).toBe(1); // once per dead lease

    // b was only paused: its next renewal puts its lease back, and a is alive for it.
    await b.renew(t0 + 1_700);
    expect(await leases().findOne({ _id: b.id })).not.toBeNull();
    expect(lostB).toBe(0);
  });

  it('a holder that stops with nothing left gives its lease back; one that stops with work left keeps it to expire', async () => {
    const clean = new RecoveryLease(mongoose.connection, 'relay', { ttlMs: 1_000, logger });
    const dirty = new RecoveryLease(mongoose.connection, 'relay', { ttlMs: 1_000, logger });
    await clean.renew();
    await dirty.renew();
    await clean.stop({ release: true });
    await dirty.stop();
    expect(await leases().findOne({ _id: clean.id })).toBeNull();
    expect(await leases().findOne({ _id: dirty.id })).not.toBeNull();
  });
});

describe('RecoveryScans (when a recovery worker reads its whole collection)', () => {
  const INTERVAL = 15 * 60_000;

  it('scans at start-up, then not again until the interval has passed', () => {
    const scans = new RecoveryScans(INTERVAL);
    const t0 = 1_000_000;
    expect(scans.owed).toBe(true); // a new worker owes the start-up scan
    expect(scans.due(t0)).toBe(true);
    expect(scans.owed).toBe(false); // started: a clean stop may give the lease back
    expect(scans.due(t0)).toBe(false);
    expect(scans.due(t0 + INTERVAL - 1)).toBe(false);
    expect(scans.due(t0 + INTERVAL)).toBe(true);
    expect(scans.due(t0 + INTERVAL + 1)).toBe(false); // the interval counts from the last scan
  });

  it('a scan that failed or stopped at its batch size (or a peer lost) is owed again on the next pass', () => {
    const scans = new RecoveryScans(INTERVAL);
    const t0 = 1_000_000;
    expect(scans.due(t0)).toBe(true);
    scans.owe();
    expect(scans.owed).toBe(true);
    expect(scans.due(t0 + 1)).toBe(true);
    expect(scans.owed).toBe(false);
    expect(scans.due(t0 + 2)).toBe(false);
  });

  it('a forced scan runs whenever asked and counts as the last scan', () => {
    const scans = new RecoveryScans(INTERVAL);
    const t0 = 1_000_000;
    expect(scans.due(t0)).toBe(true);
    expect(scans.due(t0 + 1, { forced: false })).toBe(false);
    expect(scans.due(t0 + 1, { forced: true })).toBe(true);
    expect(scans.due(t0 + INTERVAL)).toBe(false); // the interval now counts from the forced scan
    expect(scans.due(t0 + 1 + INTERVAL)).toBe(true);
    scans.owe();
    expect(scans.due(t0 + 2 + INTERVAL, { forced: true })).toBe(true);
    expect(scans.owed).toBe(false); // a forced scan also pays what was owed
  });
});
