import jwt from 'jsonwebtoken';
import { EventBus } from '../../bus/event-bus';
import { createLogger } from '../../log';
import { signSessionToken, verifySessionToken } from '../../middlewares/session';
import { eventually, startNats, type NatsTestServer } from '../../testing';
import { SessionRevocations } from '../revocations';

const logger = createLogger('revocations-test', { level: 'silent' });
const KEY = 'test-key';
const USER = '64b0000000000000000000a1';

describe('SessionRevocations (real JetStream)', () => {
  let nats: NatsTestServer;
  const buses: EventBus[] = [];
  const opened: SessionRevocations[] = [];
  let now = Date.now();
  const clock = () => now;

  beforeAll(async () => {
    nats = await startNats();
  });
  afterAll(async () => {
    for (const r of opened) await r.stop();
    for (const b of buses) await b.drain().catch(() => undefined);
    await nats?.destroy();
  });
  const open = async () => {
    const bus = await EventBus.connect({ servers: nats.url, name: `svc-${buses.length}`, logger });
    buses.push(bus);
    const r = await SessionRevocations.open(bus.nc, logger, clock);
    opened.push(r);
    return r;
  };
  const claims = (token: string) => verifySessionToken(token, KEY)!;

  it('a session revoked on one connection is refused by a watcher on another; others are not', async () => {
    const writer = await open();
    const watcher = await open();
    const a = claims(signSessionToken({ id: USER, email: 'a@b.dev' }, KEY, 3600));
    const b = claims(signSessionToken({ id: USER, email: 'a@b.dev' }, KEY, 3600));
    expect(watcher.isRevoked(a)).toBe(false);
    await writer.revokeSession(a.sid!, a.exp);
    expect(writer.isRevoked(a)).toBe(true);
    await eventually(() => watcher.isRevoked(a));
    expect(watcher.isRevoked(b)).toBe(false);
  });

  it('a per-user cut-off refuses sessions issued at or before it, never later ones, and only moves forward', async () => {
    const writer = await open();
    const watcher = await open();
    const user = '64b0000000000000000000b2';
    const t = Date.now();
    const before = claims(signSessionToken({ id: user, email: 'x@y.dev' }, KEY, 3600, t));
    const after = claims(signSessionToken({ id: user, email: 'x@y.dev' }, KEY, 3600, t + 1));
    await writer.revokeUserSessions(user, t);
    // An older cut-off written later (a replica with a slow clock) does not move it back.
    await writer.revokeUserSessions(user, t - 60_000);
    await eventually(() => watcher.isRevoked(before));
    expect(watcher.isRevoked(after)).toBe(false);
    const late = await open();
    expect(late.isRevoked(before)).toBe(true);
    expect(late.isRevoked(after)).toBe(false);
  });

  it('an entry is forgotten once the JWTs it refuses have expired', async () => {
    const r = await open();
    const c = claims(signSessionToken({ id: USER, email: 'a@b.dev' }, KEY, 60));
    await r.revokeSession(c.sid!, c.exp);
    expect(r.isRevoked(c)).toBe(true);
    now = c.exp + 1;
    expect(r.isRevoked(c)).toBe(false);
    now = Date.now();
  });
});

describe('verifySessionToken', () => {
  it('gives the session id and the issue time in ms', () => {
    const c = verifySessionToken(signSessionToken({ id: USER, email: 'a@b.dev' }, KEY, 60, 1_700_000_000_123), KEY)!;
    expect(c).toMatchObject({ id: USER, email: 'a@b.dev', at: 1_700_000_000_123 });
    expect(c.sid).toMatch(/^[0-9a-f]{32}$/);
  });

  it('carries emailVerified: true only when signed so; a token without the claim (from before verification) is unverified', () => {
    expect(verifySessionToken(signSessionToken({ id: USER, email: 'a@b.dev', emailVerified: true }, KEY, 60), KEY)!.emailVerified).toBe(
      true,
    );
    expect(verifySessionToken(signSessionToken({ id: USER, email: 'a@b.dev' }, KEY, 60), KEY)!.emailVerified).toBe(false);
    const old = jwt.sign({ id: USER, email: 'a@b.dev', sid: 'a'.repeat(32), at: Date.now() }, KEY, { expiresIn: 60 });
    expect(verifySessionToken(old, KEY)).toMatchObject({ id: USER, emailVerified: false });
    const odd = jwt.sign({ id: USER, email: 'a@b.dev', emailVerified: 'yes', sid: 'a'.repeat(32), at: Date.now() }, KEY, { expiresIn: 60 });
    expect(verifySessionToken(odd, KEY)!.emailVerified).toBe(false);
  });

  it('refuses a malformed session id or issue time', () => {
    for (const extra of [{ sid: 'not-hex', at: 1 }, { sid: 'a'.repeat(32), at: 'soon' }, { sid: 'a'.repeat(32) }, { at: 5 }]) {
      expect(verifySessionToken(jwt.sign({ id: USER, email: 'a@b.dev', ...extra }, KEY, { expiresIn: 60 }), KEY)).toBeNull();
    }
  });

  it('accepts a token from before session ids until it expires, covered by per-user cut-offs to the end of its second', () => {
    const iat = Math.floor(Date.now() / 1000);
    const c = verifySessionToken(jwt.sign({ id: USER, email: 'a@b.dev', iat }, KEY, { expiresIn: 60 }), KEY)!;
    expect(c).toMatchObject({ sid: null, at: iat * 1000 + 999 });
  });
});
