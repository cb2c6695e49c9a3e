import type { Model, UpdateQuery } from 'mongoose';
import { RetryLater } from '../bus/listener';
import { isDuplicateKey } from '../database/duplicate-key';

export type ReplicaOutcome = 'applied' | 'duplicate';

/**
 * Creates the replica of a record at its first version. A second delivery finds it already
 * there and is a no-op.
 */
export async function createReplica<T>(
  model: Model<T>,
  doc: Record<string, unknown> & { _id: unknown; version: number },
): Promise<ReplicaOutcome> {
  try {
    await model.create(doc as never);
    return 'applied';
  } catch (err) {
    if (isDuplicateKey(err)) return 'duplicate';
    throw err;
  }
}

/**
 * Applies version `version` of a record onto its replica only if the replica is at `version - 1`,
 * in one conditional single-document update (so the check and the write cannot interleave with
 * another replica of this service). An older or equal version is a duplicate and changes nothing;
 * a newer one (a gap: an earlier version has not arrived yet) throws `RetryLater`.
 *
 * `versionField` names the counter when one replica document follows several sources, each with
 * its own version (search's document: the product's `version`, its `stockVersion` and its
 * `ratingVersion`); every source is then applied N onto N−1 independently of the others.
 */
export async function applyVersion<T>(
  model: Model<T>,
  id: unknown,
  version: number,
  update: UpdateQuery<T>,
  versionField = 'version',
): Promise<ReplicaOutcome> {
  const set = { ...((update.$set as object) ?? {}), [versionField]: version };
  const res = await model.updateOne({ _id: id, [versionField]: version - 1 } as never, { ...update, $set: set } as never);
  if (res.matchedCount === 1) return 'applied';
  const current = await model.findById(id, { [versionField]: 1 }).lean<Record<string, number>>();
  const at = current?.[versionField];
  if (current && typeof at === 'number' && at >= version) return 'duplicate';
  throw new RetryLater(
    current ? `replica at ${versionField} ${at}, event has ${version}` : `replica missing, event has version ${version}`,
  );
}
