'use strict';
/*
 * Growth (issue 21): make the databases look like a shop with history — 20,000 orders and
 * 100,000 products — fast, directly in the databases, then measure the same checkout again.
 *
 * The shapes are the models' own: the documents are clones of one real product and one real
 * completed order the platform wrote during the bench (with everything every service keeps about
 * them: replicas, payments, ledger lines, …). For every jetmart_* database, a collection whose
 * documents have the template's id as `_id` or in `orderId` / `productId` is cloned with fresh
 * ids; unique string fields get a suffix; outbox arrays are emptied (history, nothing to publish).
 * Found by id, not by a list of collections, so a new service's copies are grown as well.
 */
const { BSON, ObjectId } = require('mongodb');

const BATCH = 1000;
/*
 * Fields that name the entity, per entity. Products by `_id` only: documents with a `productId`
 * are per order line (ledger, sale lines) and grow with the orders, not with the catalog.
 */
const KEYS = { product: ['_id'], order: ['_id', 'orderId'] };

const sameId = (v, id) => v !== undefined && v !== null && String(v) === id;
/** The same kind of value as `like` (ObjectId or string) for the hex id `hex`. */
const idLike = (like, hex) => (like instanceof ObjectId ? new ObjectId(hex) : hex);

/** Collections holding documents about the entity `id`, with their templates and the fields that refer to it. */
async function findCopies(mongo, dbNames, id, keys) {
  const found = [];
  for (const dbName of dbNames) {
    const db = mongo.db(dbName);
    for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
      if (name.startsWith('_') || name.startsWith('system.')) continue;
      const col = db.collection(name);
      const oid = ObjectId.isValid(id) ? new ObjectId(id) : id;
      const templates = await col.find({ $or: keys.flatMap((k) => [{ [k]: id }, { [k]: oid }]) }).toArray();
      if (!templates.length) continue;
      const unique = (await col.indexes())
        .filter((ix) => ix.unique && !(Object.keys(ix.key).length === 1 && ix.key._id))
        .map((ix) => Object.keys(ix.key));
      found.push({ dbName, name, col, templates, unique });
    }
  }
  return found;
}

/**
 * Clones `templates` `count` times: clone i refers to newIds[i] where the template referred to `id`,
 * gets a fresh `_id` where its `_id` was something else, and a suffix on unique string fields not
 * already made unique by the new ids.
 */
function cloneDoc(t, id, newHex, i, unique, keys) {
  // Through BSON, not structuredClone: that would turn ObjectIds and Decimals into plain objects.
  const d = BSON.deserialize(BSON.serialize(t));
  for (const k of keys) if (sameId(d[k], id)) d[k] = idLike(d[k], newHex);
  if (!sameId(t._id, id)) {
    // A composite string key ("<orderId>:<productId>") names the new entity; any other gets a suffix.
    if (t._id instanceof ObjectId) d._id = new ObjectId();
    else d._id = String(t._id).includes(id) ? String(t._id).replace(id, newHex) : `${t._id}~g${i}`;
  }
  if (Array.isArray(d.outbox)) d.outbox = [];
  for (const fields of unique) {
    if (fields.some((k) => keys.includes(k) && sameId(t[k], id))) continue;
    for (const k of fields) if (typeof d[k] === 'string') d[k] = `${d[k]}~g${i}`;
  }
  return d;
}

async function growEntity(mongo, dbNames, id, count, log, what) {
  const keys = KEYS[what];
  const copies = await findCopies(mongo, dbNames, id, keys);
  const newIds = Array.from({ length: count }, () => new ObjectId().toHexString());
  const inserted = {};
  for (const c of copies) {
    const t0 = performance.now();
    let n = 0;
    for (let from = 0; from < count; from += BATCH) {
      const docs = [];
      for (let i = from; i < Math.min(count, from + BATCH); i++)
        for (const t of c.templates) docs.push(cloneDoc(t, id, newIds[i], i, c.unique, keys));
      await c.col.insertMany(docs, { ordered: false });
      n += docs.length;
    }
    inserted[`${c.dbName}.${c.name}`] = n;
    log(`  grow ${what}: ${n} documents into ${c.dbName}.${c.name} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  return inserted;
}

/**
 * Seeds `orders` orders and `products` products like the given templates (a product id and an
 * order id the platform created). Returns what was inserted where.
 */
async function grow(mongo, { productId, orderId, products = 100_000, orders = 20_000, log = () => undefined }) {
  const { databases } = await mongo.db('admin').admin().listDatabases({ nameOnly: true });
  const dbNames = databases.map((d) => d.name).filter((n) => /^jetmart_/.test(n) && !/bench_baseline/.test(n));
  const t0 = performance.now();
  const inserted = {
    products: await growEntity(mongo, dbNames, productId, products, log, 'product'),
    orders: await growEntity(mongo, dbNames, orderId, orders, log, 'order'),
  };
  return { ...inserted, seconds: Math.round((performance.now() - t0) / 100) / 10, productTemplate: productId, orderTemplate: orderId };
}

module.exports = { grow };
