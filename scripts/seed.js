#!/usr/bin/env node
'use strict';
/*
 * `npm run seed`: a demo seller with a few products and a demo buyer, created through the HTTP API
 * of a running platform (http://localhost:$PORT, default 8080; or SEED_URL). Idempotent: accounts
 * that exist are signed in instead, products the seller already lists (same title) are skipped.
 */
const { DEMO_SELLER, DEMO_BUYER, DEMO_PRODUCTS } = require('./lib/demo');
const { apiSession: session } = require('./lib/api-session');

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

  const listed = await titlesListedBy(seller.call, seller.user.id);
  let added = 0;
  for (const product of DEMO_PRODUCTS) {
    if (listed.has(product.title)) continue;
    const res = await seller.call('POST', '/api/products', product);
    if (res.status !== 201) throw explain(`listing "${product.title}"`, res);
    added++;
  }
  log(`demo products: ${added} added, ${DEMO_PRODUCTS.length - added} already listed`);
  log(`sign in as ${DEMO_BUYER.email} / ${DEMO_BUYER.password} to shop, or ${DEMO_SELLER.email} / ${DEMO_SELLER.password} to sell`);
}

module.exports = { seed, ensureUser };

if (require.main === module) {
  const baseUrl = process.env.SEED_URL || `http://localhost:${process.env.PORT || 8080}`;
  seed(baseUrl).catch((err) => {
    const refused = err && err.cause && err.cause.code === 'ECONNREFUSED';
    console.error(refused ? `jetmart seed: nothing answers at ${baseUrl}: start the platform first (npm start).` : `jetmart seed: ${err.message}`);
    process.exit(1);
  });
}
