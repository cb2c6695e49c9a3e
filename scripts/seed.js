#!/usr/bin/env node
'use strict';
/*
 * `npm run seed`: a demo seller with a few products, a demo buyer and the dev admin, created
 * through the HTTP API of a running platform. Idempotent: accounts that exist are signed in
 * instead, products the seller already lists (same title) are skipped.
 *
 * Which platform: SEED_URL, else http://localhost:$PORT when PORT is set, else the running
 * `npm start` (it records its URL in .jetmart/platform/<pid>.json, JETMART_STATE_DIR), else
 * http://localhost:8080.
 */
const path = require('node:path');
const { DEMO_SELLER, DEMO_BUYER, DEMO_ADMIN, DEMO_PRODUCTS } = require('./lib/demo');
const { apiSession: session } = require('./lib/api-session');
const { runningPlatforms } = require('./lib/leftovers');

function explain(what, res) {
  const msg = res.body && res.body.errors ? res.body.errors.map((e) => e.message).join('; ') : res.text.slice(0, 200);
  return new Error(`${what}: HTTP ${res.status} ${msg}`);
}

/** Signs up, or signs in when the account exists. Returns the user and the signed-in client. */
async function ensureUser(baseUrl, { email, password }) {
  const call = session(baseUrl);
  let res = await call('POST', '/api/users/signup', { email, password });
  if (res.status === 409) res = await call('POST', '/api/users/signin', { email, password });
  if (res.status !== 200 && res.status !== 201) throw explain(`signing up ${email}`, res);
  return { user: res.body, call, created: res.status === 201 };
}

/** Titles of every product `userId` lists (all pages). */
async function titlesListedBy(call, userId) {
  const titles = new Set();
  let cursor = null;
  for (let page = 0; page < 100; page++) {
    const res = await call('GET', `/api/products?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    if (res.status !== 200) throw explain('listing products', res);
    for (const p of res.body.items) if (p.userId === userId) titles.add(p.title);
    cursor = res.body.nextCursor;
    if (!cursor) break;
  }
  return titles;
}

async function seed(baseUrl, log = (line) => console.log(line)) {
  const seller = await ensureUser(baseUrl, DEMO_SELLER);
  log(`demo seller ${DEMO_SELLER.email}: ${seller.created ? 'created' : 'exists'}`);
  const buyer = await ensureUser(baseUrl, DEMO_BUYER);
  log(`demo buyer ${DEMO_BUYER.email}: ${buyer.created ? 'created' : 'exists'}`);
  const admin = await ensureUser(baseUrl, DEMO_ADMIN);
  log(
    `dev admin ${DEMO_ADMIN.email}: ${admin.created ? 'created' : 'exists'} (an admin where ADMIN_EMAILS lists it, as npm start sets by default)`,
  );

  const listed = await titlesListedBy(seller.call, seller.user.id);
  let added = 0;
  for (const product of DEMO_PRODUCTS) {
    if (listed.has(product.title)) continue;
    const res = await seller.call('POST', '/api/products', product);
    if (res.status !== 201) throw explain(`listing "${product.title}"`, res);
    added++;
  }
  log(`demo products: ${added} added, ${DEMO_PRODUCTS.length - added} already listed`);
  log(
    `sign in as ${DEMO_BUYER.email} / ${DEMO_BUYER.password} to shop, ${DEMO_SELLER.email} / ${DEMO_SELLER.password} to sell, ${DEMO_ADMIN.email} / ${DEMO_ADMIN.password} for /ops`,
  );
}

/** Where to seed, and how that was decided (for the error message when nothing answers there). */
function target(env = process.env) {
  if (env.SEED_URL) return { baseUrl: env.SEED_URL, how: 'SEED_URL' };
  if (env.PORT) return { baseUrl: `http://localhost:${env.PORT}`, how: 'PORT' };
  const stateDir = env.JETMART_STATE_DIR || path.join(__dirname, '..', '.jetmart');
  const running = runningPlatforms(stateDir).filter((r) => r.info && r.info.url);
  if (running.length > 0) {
    const more = running.length > 1 ? `; ${running.length} are running, this is the newest (PORT picks another)` : '';
    return { baseUrl: running[0].info.url, how: `the running npm start (pid ${running[0].platform.pid})${more}`, found: true };
  }
  return { baseUrl: 'http://localhost:8080', how: 'the default, no running npm start was found' };
}

module.exports = { seed, ensureUser, target };

if (require.main === module) {
  const { baseUrl, how } = target();
  console.log(`seeding ${baseUrl} (${how})`);
  seed(baseUrl).catch((err) => {
    const refused = err && err.cause && err.cause.code === 'ECONNREFUSED';
    console.error(
      refused
        ? `jetmart seed: nothing answers at ${baseUrl}: start the platform first (npm start), or set PORT to the port it runs on.`
        : `jetmart seed: ${err.message}`,
    );
    process.exit(1);
  });
}
