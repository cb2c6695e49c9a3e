import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where image variants are kept: bytes under a key. Keys are made by `variantKey` only (a
 * content-derived image id and a size name), never from a request string, so no store needs to
 * defend against path tricks beyond `checkKey`.
 */
export interface BlobStore {
  /** Stores the bytes under `key`, replacing what was there; a reader sees either the old or the new bytes, never a part. */
  put(key: string, data: Buffer, contentType: string): Promise<void>;
  /** The bytes under `key`, or null when there are none. */
  get(key: string): Promise<Buffer | null>;
  /** Removes `key`; nothing happens when it is absent. */
  delete(key: string): Promise<void>;
  /** What the store is, for the start-up log. */
  describe(): string;
}

const KEY = /^[a-z0-9]+(\/[a-z0-9]+)*\.webp$/;

/** Refuses anything but the keys this module makes (defence in depth: `..`, absolute paths, NUL). */
export function checkKey(key: string): string {
  if (!KEY.test(key)) throw new Error(`invalid blob key ${JSON.stringify(key)}`);
  return key;
}

/**
 * A directory on the local disk: the local platform (the platform's data directory, kept between
 * runs like its databases) and the tests. One file per key; a write goes to a temporary file that
 * is then renamed over the key, so a crash mid-write never leaves a half image behind a key.
 */
export class FsBlobStore implements BlobStore {
  constructor(readonly dir: string) {}

  private pathOf(key: string): string {
    return path.join(this.dir, ...checkKey(key).split('/'));
  }

  async put(key: string, data: Buffer): Promise<void> {
    const file = this.pathOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, data);
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await readFile(this.pathOf(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  describe(): string {
    return `files in ${this.dir}`;
  }
}
