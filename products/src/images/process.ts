import { createHash } from 'node:crypto';
import type sharp from 'sharp';
import { IMAGE_LIMITS, IMAGE_SIZES, type ImageSize } from '@jetmart/common/contracts';

/** The formats a seller may upload, recognised by their first bytes (never by name or declared type). */
export type UploadFormat = 'jpeg' | 'png' | 'webp';

/** The format the file's magic bytes announce, or null for anything else (GIF, SVG, PDF, text ...). */
export function sniffFormat(bytes: Buffer): UploadFormat | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  return null;
}

/**
 * The image's id: derived from the uploaded bytes, so the same file uploaded twice is one image
 * (its variants are written to the same keys, and the product refuses a second copy). 128 bits of
 * SHA-256: collisions are not a practical concern.
 */
export function imageIdOf(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 32);
}

export const IMAGE_ID = /^[a-f0-9]{32}$/;

export function variantKey(imageId: string, size: ImageSize): string {
  return `${imageId}/${size}.webp`;
}

export interface ProcessedImage {
  id: string;
  /** Of the upload, after its EXIF orientation is applied. */
  width: number;
  height: number;
  variants: Record<ImageSize, Buffer>;
}

export type ProcessOutcome =
  | { kind: 'processed'; image: ProcessedImage }
  | { kind: 'empty' }
  | { kind: 'unsupported-type' }
  | { kind: 'too-many-pixels'; width: number; height: number }
  | { kind: 'undecodable'; reason: string };

type Sharp = typeof sharp;
let sharpModule: Sharp | undefined;
let smallMachineSettings = false;

/**
 * sharp (libvips, ~8 MB of RSS once loaded) is loaded by the first upload rather than at start-up:
 * most products processes never decode an image (docs/BENCHMARKS.md, "Memory under the mix").
 */
function loadSharp(): Sharp {
  if (!sharpModule) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, not at start-up (memory)
    sharpModule = require('sharp') as Sharp;
    if (smallMachineSettings) {
      sharpModule.cache(false);
      sharpModule.concurrency(1);
    }
  }
  return sharpModule;
}

/** Pixel options every decode uses: 'error' implies 'truncated' (sharp's levels are cumulative). */
const DECODE = { failOn: 'error', limitInputPixels: IMAGE_LIMITS.maxPixels, sequentialRead: true } as const;

/**
 * Checks an upload by its content and makes the stored variants. The file must start with the
 * magic bytes of JPEG, PNG or WebP, declare at most IMAGE_LIMITS.maxPixels pixels and maxSide per
 * side (read from the header, before any pixel is decoded: a decompression bomb stops here), and
 * decode completely without error (a truncated or corrupt file is refused). Every variant is
 * re-encoded to WebP from the decoded pixels with no metadata (EXIF, XMP, ICC, comments dropped),
 * so nothing of the uploaded file but its pixels survives: bytes appended to a valid image (a
 * polyglot) or hidden in its metadata are not stored.
 */
export async function processImage(bytes: Buffer): Promise<ProcessOutcome> {
  if (bytes.length === 0) return { kind: 'empty' };
  return withDecodeSlot(() => checkAndEncode(bytes));
}

/**
 * Decodes at once at most this many uploads per process; the others wait their turn. Each decode
 * holds tens of MB (bench/images.js), so N concurrent uploads must not mean N decodes in memory.
 */
const DECODES_AT_ONCE = 2;
let decoding = 0;
const waiting: (() => void)[] = [];

async function withDecodeSlot<T>(work: () => Promise<T>): Promise<T> {
  if (decoding >= DECODES_AT_ONCE) await new Promise<void>((turn) => waiting.push(turn));
  else decoding++;
  try {
    return await work();
  } finally {
    // Hand the slot straight to the next in line (the count stays), or free it.
    const next = waiting.shift();
    if (next) next();
    else decoding--;
  }
}

async function checkAndEncode(bytes: Buffer): Promise<ProcessOutcome> {
  const format = sniffFormat(bytes);
  if (!format) return { kind: 'unsupported-type' };
  let meta: sharp.Metadata;
  try {
    // The header only (no pixel is decoded), without the pixel limit so that a bomb is refused
    // below with its declared size rather than a decoder's message.
    meta = await loadSharp()(bytes, { ...DECODE, limitInputPixels: false }).metadata();
  } catch (err) {
    return { kind: 'undecodable', reason: reasonOf(err) };
  }
  // The magic bytes and the decoder must agree (a JPEG header on something libvips reads as another format).
  if (meta.format !== format) return { kind: 'undecodable', reason: `the file starts like ${format} but is not one` };
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width < 1 || height < 1) return { kind: 'undecodable', reason: 'the image has no size' };
  if (width * height > IMAGE_LIMITS.maxPixels || Math.max(width, height) > IMAGE_LIMITS.maxSide) {
    return { kind: 'too-many-pixels', width, height };
  }
  // EXIF orientations 5–8 turn the picture a quarter: the shown width is the stored height.
  const turned = (meta.orientation ?? 1) >= 5;
  try {
    // One full decode of the upload (auto-oriented, shrunk to the largest variant, 8 bits per
    // channel); every variant is made from these pixels.
    const largest = IMAGE_LIMITS.sizes.large;
    const { data, info } = await loadSharp()(bytes, DECODE)
      .rotate()
      .resize({ width: largest, height: largest, fit: 'inside', withoutEnlargement: true })
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    const raw = { width: info.width, height: info.height, channels: info.channels };
    const variants = {} as Record<ImageSize, Buffer>;
    for (const size of IMAGE_SIZES) {
      const side = IMAGE_LIMITS.sizes[size];
      variants[size] = await loadSharp()(data, { raw })
        .resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 82 })
        .toBuffer();
    }
    return {
      kind: 'processed',
      image: { id: imageIdOf(bytes), width: turned ? height : width, height: turned ? width : height, variants },
    };
  } catch (err) {
    return { kind: 'undecodable', reason: reasonOf(err) };
  }
}

/** libvips' first line, without paths or buffer addresses: what went wrong in a seller's words. */
function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const first = message.split('\n')[0] ?? '';
  return first.replace(/0x[0-9a-f]+/gi, '').slice(0, 200) || 'the image could not be decoded';
}

/**
 * sharp's process-wide settings for a service on a small machine: no operation cache (each upload
 * is decoded once; a cache would only hold memory) and one libvips thread per operation. Applied
 * when sharp is loaded (the first upload), or at once if it already is.
 */
export function configureSharp(): void {
  smallMachineSettings = true;
  if (sharpModule) {
    sharpModule.cache(false);
    sharpModule.concurrency(1);
  }
}
