'use strict';
// Sets up a shop for a load run through the public API: one seller with products, N buyers.
const { MongoClient } = require('mongodb');
const { apiSession: client } = require('../../scripts/lib/api-session');

async function must(p, what, ok = [200, 201]) {
  const r = await p;
  if (!ok.includes(r.status)) throw new Error(`${what}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
  return r;
}

const PASSWORD = 'bench-password-1';

async function user(baseUrl, email) {
  const call = client(baseUrl);
  let r = await call('POST', '/api/users/signup', { email, password: PASSWORD });
  if (r.status === 409) r = await call('POST', '/api/users/signin', { email, password: PASSWORD });
  if (r.status !== 201 && r.status !== 200) throw new Error(`user ${email}: HTTP ${r.status} ${r.text}`);
  return { id: r.body.id, email, password: PASSWORD, call, cookie: call.cookie() };
}

/**
 * A seller with `products` products of `quantity` units each and `buyers` buyers; waits until the
 * orders service has every product in its replica. Returns cookies and ids for the load generator.
 */
async function setupShop(baseUrl, mongoUrl, { buyers = 20, products = 20, quantity = 1_000_000, tag = Date.now().toString(36) } = {}) {
  const seller = await user(baseUrl, `seller-${tag}@bench.dev`);
  const productIds = [];
  for (let i = 0; i < products; i++) {
    const r = await must(
      seller.call('POST', '/api/products', { title: `Bench item ${i} ${tag}`, price: 9.99 + i, quantity, description: 'load test' }),
      'create product',
    );
    productIds.push(r.body.id);
  }
  const buyerList = [];
  for (let i = 0; i < buyers; i++) buyerList.push(await user(baseUrl, `buyer-${i}-${tag}@bench.dev`));
  if (mongoUrl) await waitForReplicas(mongoUrl, productIds);
  return { seller, buyers: buyerList, productIds };
}

async function waitForReplicas(mongoUrl, ids, timeoutMs = 60_000) {
  const mongo = await MongoClient.connect(mongoUrl);
  try {
    const col = mongo.db('jetmart_orders').collection('productreplicas');
    const until = Date.now() + timeoutMs;
    while ((await col.countDocuments({ _id: { $in: ids } })) < ids.length) {
      if (Date.now() > until) throw new Error('products did not reach the orders replica in time');
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await mongo.close();
  }
}

module.exports = { client, user, setupShop, must, waitForReplicas, PASSWORD };
