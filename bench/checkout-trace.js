#!/usr/bin/env node
'use strict';
/*
 * Which handler spends a checkout's database commands (issue 21). The cost model of bench/load.js
 * counts commands by service and collection; this tells which request or delivery sent them.
 *
 *   npm run build && node bench/checkout-trace.js [--checkouts 20] [--out FILE]
 *
 * Starts the platform (production mode) with its spans exported over OTLP/HTTP to a receiver in
 * this process, places and pays --checkouts orders one after the other (one buyer, one item each),
 * waits until every service's counters are quiet, and prints per handler — the SERVER span of a
 * request or the CONSUMER span of a delivery, by service — how often it ran per checkout and the
 * database commands it sent per checkout, from the `db.command` events @jetmart/common puts on
 * the active span (FerretDB's lock commands and guard reads apart: MongoDB is sent the rest). Commands sent outside any handler (the outbox relay's
 * reads and pops, sweepers, lease renewals) are the services' counters minus what the spans hold.
 * Counts, not times: the same on any machine. Prints; asserts nothing.
 */
const http = require('node:http');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startPlatform } = require('./lib/platform');
const { setupShop, must } = require('./lib/shop');
const { scrapeCounters, scrapeWhenQuiet, costModel } = require('./lib/cost');
const { freePort } = require('../common/dist/testing/servers.js');

const { opt } = require('./lib/args');
const CHECKOUTS = Number(opt('checkouts', 20));
const OUT = opt('out');
const SHIPPING_ADDRESS = { name: 'Trace Buyer', line1: '1 Bench Street', city: 'Berlin', postalCode: '10115', country: 'DE' };
const log = (...a) => console.error('[trace]', ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const SPAN_KIND = { 2: 'SERVER', 5: 'CONSUMER' };
const attr = (list, key) => {
  const v = (list || []).find((a) => a.key === key)?.value;
  return v && (v.stringValue ?? v.intValue ?? v.doubleValue ?? v.boolValue);
};

/** An OTLP/HTTP JSON receiver: every span it is sent, flattened, with its service's name. */
function otlpReceiver() {
  const spans = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        for (const rs of body.resourceSpans || []) {
          const service = attr(rs.resource?.attributes, 'service.name');
          for (const ss of rs.scopeSpans || []) for (const s of ss.spans || []) spans.push({ service, ...s });
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch (err) {
        res.writeHead(400).end(String(err));
      }
    });
  });
  return {
    spans,
    listen: () => new Promise((r) => server.listen(0, '127.0.0.1', () => r(server.address().port))),
    close: () => new Promise((r) => server.close(r)),
  };
}

/** Handlers (SERVER and CONSUMER spans) with their commands, per checkout. */
function byHandler(spans, checkouts) {
  const rows = {};
  for (const s of spans) {
    const kind = SPAN_KIND[s.kind];
    if (!kind) continue;
    const name = `${s.service} ${s.name}`;
    const row = (rows[name] ??= { runs: 0, data: 0, lock: 0, guard: 0, commands: {} });
    row.runs++;
    for (const e of s.events || []) {
      if (e.name !== 'db.command') continue;
      const kindOf = attr(e.attributes, 'jetmart.db.collection_kind');
      if (kindOf === 'lock' || kindOf === 'guard') {
        row[kindOf]++;
        continue;
      }
      row.data++;
      const c = `${attr(e.attributes, 'db.operation.name')} ${attr(e.attributes, 'db.collection.name')}`;
      row.commands[c] = (row.commands[c] || 0) + 1;
    }
  }
  const per = (n) => Math.round((n / checkouts) * 100) / 100;
  return Object.entries(rows)
    .map(([name, r]) => ({
      handler: name,
      runs: per(r.runs),
      dbCommands: per(r.data),
      lockCommands: per(r.lock),
      guardReads: per(r.guard),
      commands: Object.fromEntries(
        Object.entries(r.commands)
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => [k, per(v)]),
      ),
    }))
    .filter((r) => r.dbCommands || r.lockCommands || r.guardReads || r.runs >= 0.5)
    .sort((a, b) => b.dbCommands - a.dbCommands);
}

async function main() {
  const receiver = otlpReceiver();
  const otlpPort = await receiver.listen();
  const port = await freePort();
  // A data directory of its own: events a kept one still owes from an earlier run would be counted.
  const dataDir = process.env.JETMART_DATA_DIR ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'jetmart-bench-trace-'));
  log(`starting the platform on :${port}, spans to :${otlpPort}`);
  const platform = await startPlatform({
    port,
    env: {
      JETMART_MONGO: process.env.JETMART_MONGO || 'ferretdb',
      ...(dataDir && { JETMART_DATA_DIR: dataDir }),
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${otlpPort}/v1/traces`,
      // Every span of the run, sent soon: the default queue (2,048) drops spans under a burst.
      OTEL_BSP_MAX_QUEUE_SIZE: '100000',
      OTEL_BSP_SCHEDULE_DELAY: '500',
    },
  });
  try {
    const shop = await setupShop(platform.url, platform.mongoUrl, { buyers: 1, products: 4 });
    const buyer = shop.buyers[0];
    // Set-up's spans are not the checkouts': wait until the platform is quiet, then start counting.
    await scrapeWhenQuiet(platform.pids.servicePorts);
    await sleep(1500);
    receiver.spans.length = 0;
    const before = await scrapeCounters(platform.pids.servicePorts);
    let paid = 0;
    for (let i = 0; i < CHECKOUTS; i++) {
      const productId = shop.productIds[i % shop.productIds.length];
      const order = await must(
        buyer.call('POST', '/api/orders', { items: [{ productId, quantity: 1 }], shippingAddress: SHIPPING_ADDRESS }),
        'place order',
        [201],
      );
      const pay = await buyer.call('POST', '/api/payments', {
        orderId: order.body.id,
        token: 'tok_visa',
        orderTicket: order.body.orderTicket,
      });
      if (pay.status === 201) paid++;
    }
    const quiet = await scrapeWhenQuiet(platform.pids.servicePorts);
    // The last batch of spans leaves each service within the schedule delay.
    await sleep(3000);
    const model = costModel(before, quiet.counters, paid, undefined);
    const handlers = byHandler(receiver.spans, paid);
    const total = (k) => Math.round(handlers.reduce((a, h) => a + h[k], 0) * 100) / 100;
    const outside = {
      dbCommands: Math.round((model.perCheckout.dbCommands - total('dbCommands')) * 100) / 100,
      lockCommands: Math.round((model.perCheckout.lockCommands - total('lockCommands')) * 100) / 100,
      guardReads: Math.round((model.perCheckout.guardReads - total('guardReads')) * 100) / 100,
    };
    const cols = (r) => `${String(r.dbCommands).padStart(8)} ${String(r.lockCommands).padStart(6)} ${String(r.guardReads).padStart(6)}`;
    const lines = [
      `DATABASE COMMANDS PER CHECKOUT BY HANDLER (${paid} sequential checkouts, ${platform.mongoKind})`,
      `  db cmds: what MongoDB is sent too; locks and guards: FerretDB's document locks and the reads that check a guarded write under them`,
      `${'handler'.padEnd(44)} ${'runs'.padStart(5)} ${'db cmds'.padStart(8)} ${'locks'.padStart(6)} ${'guards'.padStart(6)}  data commands`,
      ...handlers.map(
        (h) =>
          `${h.handler.padEnd(44)} ${String(h.runs).padStart(5)} ${cols(h)}  ${Object.entries(h.commands)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`,
      ),
      `${'outside any handler (relay, sweepers, leases)'.padEnd(50)} ${cols(outside)}`,
      `${'TOTAL (the services counters)'.padEnd(50)} ${cols(model.perCheckout)}`,
    ];
    console.log(lines.join('\n'));
    if (OUT) {
      fs.writeFileSync(
        OUT,
        JSON.stringify(
          { checkouts: paid, database: platform.mongoKind, settled: quiet.settled, handlers, outside, costModel: model },
          null,
          1,
        ),
      );
      log(`wrote ${OUT}`);
    }
  } finally {
    await platform.stop();
    await receiver.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
