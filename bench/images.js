#!/usr/bin/env node
'use strict';
/*
 * What one product image upload costs products: the time and memory to check and re-encode one
 * 4000×3000 JPEG (a 12-megapixel phone photo) with the service's own code (products/dist/images:
 * magic bytes, header check, one full decode, three WebP variants), with sharp configured as the
 * service configures it (no cache, one libvips thread). Prints numbers; asserts nothing.
 *   node bench/images.js [runs=5]          (needs `npm run build -w products` first)
 * The photo is synthetic but photo-like (smooth gradients + grain, q90), so its size and decode
 * work are those of a real photo rather than of flat colour (tiny) or pure noise (over 5 MiB).
 */
const path = require('node:path');
const sharp = require('sharp');

const dist = path.join(__dirname, '..', 'products', 'dist', 'images', 'process.js');
const { processImage, configureSharp } = require(dist);

async function photo(width, height) {
  // A smooth colour field (a scaled-up 8×6 random image) plus gaussian grain.
  const seed = Buffer.from(Array.from({ length: 8 * 6 * 3 }, (_, i) => (i * 97 + 31) % 256));
  const field = await sharp(seed, { raw: { width: 8, height: 6, channels: 3 } })
    .resize(width, height, { kernel: 'cubic' })
    .raw()
    .toBuffer();
  const grain = await sharp({ create: { width, height, channels: 3, noise: { type: 'gaussian', mean: 0, sigma: 18 } } })
    .raw()
    .toBuffer();
  const out = Buffer.alloc(field.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.max(0, Math.min(255, field[i] + grain[i] - 9));
  return sharp(out, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

async function main() {
  const runs = Number(process.argv[2] ?? 5);
  configureSharp();
  const file = await photo(4000, 3000);
  if (global.gc) global.gc();
  const mb = (n) => (n / 1024 / 1024).toFixed(1);
  const baseline = process.memoryUsage().rss;
  console.log(
    `input: 4000x3000 JPEG, ${mb(file.length)} MiB; rss before: ${mb(baseline)} MiB; sharp ${sharp.versions.sharp}, libvips ${sharp.versions.vips}`,
  );
  const times = [];
  for (let run = 1; run <= runs; run++) {
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 2);
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const out = await processImage(file);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = process.cpuUsage(cpu0);
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    if (out.kind !== 'processed') throw new Error(`not processed: ${JSON.stringify(out)}`);
    const v = out.image.variants;
    times.push(ms);
    console.log(
      `run ${run}: ${ms.toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms cpu, peak rss ${mb(peak)} MiB ` +
        `(+${mb(peak - baseline)}), variants thumb/medium/large ${(v.thumb.length / 1024).toFixed(1)}/${(v.medium.length / 1024).toFixed(1)}/${(v.large.length / 1024).toFixed(1)} KiB`,
    );
  }
  times.sort((a, b) => a - b);
  console.log(
    `median ${times[Math.floor(times.length / 2)].toFixed(0)} ms over ${runs} runs; rss after: ${mb(process.memoryUsage().rss)} MiB`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
