/**
 * One read per key, at most `inFlight` at a time, answers in the keys' order.
 *
 * FerretDB pushes an equality filter down to its backend (on PostgreSQL, to an index) but never
 * `$in`: `{_id: {$in: ids}}` or `{productId: {$in: ids}}` decodes every document of the collection,
 * on every call, however few ids it names. For the ids of one page that is a read of the whole
 * collection per page view; one equality read per id costs what the page holds. `inFlight` keeps a
 * long list (a scan in batches, an export) from taking every connection of the pool at once.
 */
export async function readEach<K, R>(keys: readonly K[], read: (key: K) => Promise<R>, inFlight = 20): Promise<R[]> {
  const out: R[] = new Array(keys.length);
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const i = next++;
      out[i] = await read(keys[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, keys.length) }, worker));
  return out;
}
