import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { concurrencyLimit } from '@jetmart/common';

/**
 * Password hashing with node's scrypt. A stored hash is self-describing,
 * `scrypt$N$r$p$<salt base64>$<hash base64>`, so the cost can be raised later without
 * invalidating existing passwords (verification uses the parameters stored with the hash).
 */

const COST = { N: 16_384, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const KEY_BYTES = 64;

/**
 * Each derivation holds 128·N·r·p bytes (16 MiB at the default cost) while it runs, and node runs
 * up to 4 at once on its thread pool: two at a time keeps a burst of sign-ins from adding 64 MiB
 * to auth's memory; the others queue for a few milliseconds.
 */
const derivationSlot = concurrencyLimit(2);

function derive(password: string, salt: Buffer, params: { N: number; r: number; p: number }, keyLength: number): Promise<Buffer> {
  // 128·N·r·p bytes of memory are needed; leave headroom over node's 32 MiB default.
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r * params.p };
  return derivationSlot(
    () =>
      new Promise<Buffer>((resolve, reject) => {
        scrypt(password.normalize('NFKC'), salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key)));
      }),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, COST, KEY_BYTES);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), key.toString('base64')].join('$');
}

interface ParsedHash {
  params: { N: number; r: number; p: number };
  salt: Buffer;
  key: Buffer;
}

function parseHash(stored: string): ParsedHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  // Bounds keep a corrupted record from asking scrypt for absurd amounts of memory or time.
  const sane = Number.isInteger(N) && N >= 2 && N <= 1 << 20 && (N & (N - 1)) === 0 && r >= 1 && r <= 32 && p >= 1 && p <= 16;
  if (!sane) return null;
  const salt = Buffer.from(parts[4], 'base64');
  const key = Buffer.from(parts[5], 'base64');
  if (salt.length === 0 || key.length === 0) return null;
  return { params: { N, r, p }, salt, key };
}

/** Constant-time check of `password` against a stored hash; a malformed hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const candidate = await derive(password, parsed.salt, parsed.params, parsed.key.length);
  return timingSafeEqual(candidate, parsed.key);
}

/**
 * A valid hash of a random password, verified against when the email is unknown, so that
 * "no such user" takes as long as "wrong password" and response times do not reveal which
 * emails have accounts. Computed once, lazily.
 */
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  return (decoyHash ??= hashPassword(randomBytes(32).toString('hex')));
}
