import { hashPassword, verifyPassword } from '../models/password';

describe('password hashing', () => {
  it('verifies the right password and rejects others', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('salts every hash, so equal passwords hash differently', async () => {
    const [a, b] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
    expect(a).not.toBe(b);
    expect(a.split('$')[4]).not.toBe(b.split('$')[4]);
    expect(await verifyPassword('same password', a)).toBe(true);
    expect(await verifyPassword('same password', b)).toBe(true);
  });

  it('never matches a malformed or absurd stored hash', async () => {
    const good = await hashPassword('pw123456');
    const [, , r, p, salt, key] = good.split('$');
    for (const bad of [
      '',
      'plaintext',
      'bcrypt$x',
      `scrypt$3$${r}$${p}$${salt}$${key}`,
      `scrypt$${1 << 30}$${r}$${p}$${salt}$${key}`,
      `scrypt$16384$8$1$$`,
    ]) {
      expect(await verifyPassword('pw123456', bad)).toBe(false);
    }
  });

  it('uses the cost stored with the hash (so the cost can be raised later)', async () => {
    const { scryptSync, randomBytes } = await import('node:crypto');
    const salt = randomBytes(16);
    const key = scryptSync('older password', salt, 32, { N: 1024, r: 8, p: 1 });
    const older = `scrypt$1024$8$1$${salt.toString('base64')}$${key.toString('base64')}`;
    expect(await verifyPassword('older password', older)).toBe(true);
    expect(await verifyPassword('other password', older)).toBe(false);
  });
});
