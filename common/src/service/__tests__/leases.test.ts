import mongoose from 'mongoose';
import { createLogger, RecoveryLease } from '../..';
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
