'use strict';
// Invariant 13 ("gone means gone"): after an account is deleted, no service's database holds the
// person's email, name or address. Scans EVERY database of a MongoDB-wire server (listDatabases,
// then every collection, every document, every string value and every field name, recursively),
// so a new service, collection or field is covered without being named here. Used by
// bench/check-invariants.js (its `forgotten` option) and the e2e account-erasure test; written
// independently of the services' code.
//
// Databases only: the JetStream streams keep every event (order.created and order.completed carry
// the shipping address, user.created/updated the email and name) for their retention period, and
// the mail server keeps the mails it was given. Neither is a service's database; see docs/SPEC.md.

/** The server's own databases: they hold no service data. */
const SYSTEM_DATABASES = new Set(['admin', 'local', 'config']);
/** Shorter strings (a country code, an initial) would match everywhere and prove nothing. */
const MIN_NEEDLE_LENGTH = 4;

/**
 * Every place a string of `needles` (case-insensitive substring) occurs. Returns
 * [{database, collection, id, path, needle}]; empty when the person is forgotten.
 * `databases` (optional) limits the scan to names passing the filter (e.g. one run's prefix).
 */
async function findPersonalData(client, needles, { databases = () => true } = {}) {
  const wanted = [...new Set(needles.map((n) => String(n).trim()).filter(Boolean))];
  for (const n of wanted)
    if (n.length < MIN_NEEDLE_LENGTH) throw new Error(`"${n}" is too short to search for (at least ${MIN_NEEDLE_LENGTH} characters)`);
  if (wanted.length === 0) throw new Error('nothing to search for');
  const lower = wanted.map((n) => [n, n.toLowerCase()]);
  const hits = [];
  const { databases: all } = await client.db('admin').admin().listDatabases({ nameOnly: true });
  for (const { name: database } of all) {
    if (SYSTEM_DATABASES.has(database) || !databases(database)) continue;
    const db = client.db(database);
    for (const { name: collection } of await db.listCollections({}, { nameOnly: true }).toArray()) {
      if (collection.startsWith('system.')) continue;
      for await (const doc of db.collection(collection).find({})) {
        const seen = (path, text) => {
          const t = text.toLowerCase();
          for (const [needle, n] of lower) if (t.includes(n)) hits.push({ database, collection, id: String(doc._id), path, needle });
        };
        walk(doc, '', seen);
      }
    }
  }
  return hits;
}

/** Calls `seen(path, string)` for every string value and field name under `value`. */
function walk(value, path, seen) {
  if (typeof value === 'string') {
    seen(path, value);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, `${path}[${i}]`, seen));
    return;
  }
  // BSON values with a string form that is not data (ObjectId, Date, Decimal128, Binary): their
  // text is an id or a number, never a person's words.
  if (value._bsontype !== undefined || value instanceof Date) return;
  for (const [k, v] of Object.entries(value)) {
    const p = path ? `${path}.${k}` : k;
    seen(`${p} (field name)`, k);
    walk(v, p, seen);
  }
}

/**
 * The checker's form: every hit is a violation `personal data of a deleted account`. `needles` are
 * the person's strings (email, display name, the address's name, street lines, city, postcode, phone).
 */
async function checkForgotten({ client, needles, databases, bad }) {
  const hits = await findPersonalData(client, needles, { databases });
  for (const h of hits) bad('personal data of a deleted account', `"${h.needle}" in ${h.database}.${h.collection} ${h.id} at ${h.path}`);
  return { counts: { forgottenStringsFound: hits.length } };
}

module.exports = { findPersonalData, checkForgotten, MIN_NEEDLE_LENGTH };
