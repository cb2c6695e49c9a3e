#!/usr/bin/env node
'use strict';
/*
 * CPU per event validation: parseEvent (every delivery a listener takes) and makeEvent (every
 * event recorded in an outbox, and every publish). Prints numbers; asserts nothing.
 *
 *   npm run build -w common && node bench/event-parse.js [--events 20000]
 */
const path = require('node:path');
const { makeEvent, parseEvent, Subjects } = require(path.join(__dirname, '..', 'common', 'dist', 'events'));

const i = process.argv.indexOf('--events');
const EVENTS = i >= 0 ? Number(process.argv[i + 1]) : 20_000;

const id = '507f1f77bcf86cd799439011';
const samples = {
  [Subjects.ProductUpdated]: { id, title: 'Desk lamp', priceMinor: 2599, quantity: 7, userId: id, version: 3 },
  [Subjects.OrderCreated]: {
    id,
    status: 'created',
    userId: id,
    expiresAt: new Date(Date.now() + 900_000).toISOString(),
    totalMinor: 5198,
    items: [{ productId: id, sellerId: id, title: 'Desk lamp', priceMinor: 2599, quantity: 2 }],
    version: 0,
  },
};

/** CPU microseconds per call of `fn`, after a warm-up. */
function cpuMicros(fn) {
  for (let n = 0; n < 2_000; n++) fn();
  const start = process.cpuUsage();
  for (let n = 0; n < EVENTS; n++) fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / EVENTS;
}

for (const [subject, data] of Object.entries(samples)) {
  let made;
  try {
    made = makeEvent(subject, data);
  } catch (err) {
    console.log(`${subject}: the sample is not a valid event (${err.message}); skipped`);
    continue;
  }
  const wire = JSON.stringify(made);
  const parse = cpuMicros(() => parseEvent(JSON.parse(wire), subject));
  const make = cpuMicros(() => makeEvent(subject, data));
  console.log(`${subject.padEnd(16)} parseEvent ${parse.toFixed(1)} CPU-µs, makeEvent ${make.toFixed(1)} CPU-µs (${EVENTS} each)`);
}
