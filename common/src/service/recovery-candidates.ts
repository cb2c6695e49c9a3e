/**
 * Records this process left in a state that a sweeper may have to finish (a placement or a charge
 * that stopped midway), noted by the write that enters the state and forgotten by the write that
 * leaves it, so that the sweeper reads only these by `_id` once their timeout has passed instead
 * of scanning a collection every pass (FerretDB/SQLite pushes down only `_id` equality; issue 21,
 * cost after growth). What a dead process left is the sweeper's scan's, run at start-up and when
 * a peer's `RecoveryLease` expires. One set per database and purpose: one test process may run
 * two services, each on its own database.
 */
export class RecoveryCandidates<K extends string = string> {
  private static readonly sets = new Map<string, RecoveryCandidates<string>>();
  private readonly ids = new Map<string, { kind: K; since: number }>();

  static of<K extends string>(db: { name: string }, purpose: string): RecoveryCandidates<K> {
    const key = `${db.name}/${purpose}`;
    let set = RecoveryCandidates.sets.get(key);
    if (!set) RecoveryCandidates.sets.set(key, (set = new RecoveryCandidates<string>()));
    return set as unknown as RecoveryCandidates<K>;
  }

  /** `since`: when the record entered the state (its timeout counts from then). */
  note(id: unknown, kind: K, since = Date.now()): void {
    if (id !== undefined && id !== null) this.ids.set(String(id), { kind, since });
  }

  forget(id: unknown): void {
    if (id !== undefined && id !== null) this.ids.delete(String(id));
  }

  /** Takes the ids whose timeout (by kind) has passed at `now`; the others stay. */
  takeDue(now: number, timeoutMs: (kind: K) => number): string[] {
    const due: string[] = [];
    for (const [id, { kind, since }] of this.ids) {
      if (now - since < timeoutMs(kind)) continue;
      due.push(id);
      this.ids.delete(id);
    }
    return due;
  }

  /** Takes every id (a scan is about to find whatever is left, or each is looked at now). */
  takeAll(): string[] {
    const all = [...this.ids.keys()];
    this.ids.clear();
    return all;
  }

  get size(): number {
    return this.ids.size;
  }
}
