/**
 * Real image files for the image tests, made with sharp (and, for the hostile ones, by hand from
 * the file formats' own structure): nothing here is a stub of the decoder under test.
 */
import { crc32, deflateSync } from 'node:zlib';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

/** Random pixels: a realistic, poorly compressible photo stand-in (a flat colour compresses to nothing). */
export function noise(width: number, height: number, seed = 1): Buffer {
  const out = Buffer.alloc(width * height * 3);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < out.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const raw = (width: number, height: number, seed = 1) => sharp(noise(width, height, seed), { raw: { width, height, channels: 3 } });

export const jpeg = (width = 800, height = 600, seed = 1) => raw(width, height, seed).jpeg({ quality: 80 }).toBuffer();
export const png = (width = 300, height = 200, seed = 1) => raw(width, height, seed).png().toBuffer();
export const webp = (width = 300, height = 200, seed = 1) => raw(width, height, seed).webp().toBuffer();
export const gif = () => raw(40, 30).gif().toBuffer();
/** A JPEG carrying EXIF that must not survive (a camera's owner, say). */
export const jpegWithExif = (secret: string) =>
  raw(640, 480)
    .jpeg()
    .withExif({ IFD0: { Copyright: secret, Artist: secret } })
    .toBuffer();

export const SVG = Buffer.from(
  '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><script>alert(1)</script><rect width="100" height="100"/></svg>',
);
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
export const TEXT = Buffer.from('this is not a picture, whatever its name says\n');

/** Bytes a polyglot hides after a valid image: an HTML page and the start of a zip archive. */
export const PAYLOAD = Buffer.concat([
  Buffer.from('<html><body><script>fetch("/api/users/me").then(r=>r.text()).then(alert)</script></body></html>'),
  Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00]),
  Buffer.from('evil.js'),
]);

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/**
 * A decompression bomb: a valid PNG header declaring width × height RGB pixels (30000 × 30000 is
 * 2.7 GB decoded) with a tiny compressed stream. Its file is a few hundred bytes.
 */
export function pngBomb(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const rows = deflateSync(Buffer.alloc((1 + width * 3) * 2));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', rows),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Every file under `dir` (the image store's directory), relative paths. */
export function filesIn(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}
