/**
 * The waiting line of one process per lock key (../local-turns.ts), on its own: who gets the turn,
 * in which order, and that nobody is left waiting for a turn that cannot come.
 */
import { LocalTurns, TurnTimeout, type LocalTurn } from '../local-turns';

const far = () => Date.now() + 60_000;

it('gives the turns in arrival order, one at a time, and forgets a key once nobody holds it', async () => {
  const turns = new LocalTurns(60_000);
  const got: number[] = [];
  const holders = Array.from({ length: 8 }, (_, i) => turns.take('k', far()).then((t) => (got.push(i), t)));
  const first = await holders[0];
  await new Promise((r) => setImmediate(r));
  expect(got).toEqual([0]);
  let turn = first;
  for (let i = 1; i < 8; i++) {
    turn.pass();
    turn = await holders[i];
  }
  expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  turn.pass();
  expect(turns.size).toBe(0);
});

it('keys do not wait for each other', async () => {
  const turns = new LocalTurns(60_000);
  const a = await turns.take('a', far());
  const b = await turns.take('b', far());
  expect(turns.size).toBe(2);
  a.pass();
  b.pass();
  expect(turns.size).toBe(0);
});

it('a waiter that gives up leaves the line without holding up the ones behind it', async () => {
  const turns = new LocalTurns(60_000);
  const holder = await turns.take('k', far());
  const impatient = turns.take('k', Date.now() + 30);
  const patient = turns.take('k', far());
  await expect(impatient).rejects.toBeInstanceOf(TurnTimeout);
  holder.pass();
  const next = await patient;
  next.pass();
  expect(turns.size).toBe(0);
});

it('passing twice hands on one turn, not two', async () => {
  const turns = new LocalTurns(60_000);
  const holder = await turns.take('k', far());
  const second = turns.take('k', far());
  const third = turns.take('k', far());
  let thirdHas = false;
  void third.then(() => (thirdHas = true));
  holder.pass();
  holder.pass();
  const turn: LocalTurn = await second;
  await new Promise((r) => setImmediate(r));
  expect(thirdHas).toBe(false);
  turn.pass();
  (await third).pass();
  expect(turns.size).toBe(0);
});

it('a turn never passed on passes itself after the hold limit (a forgotten release does not stop the key for good)', async () => {
  const turns = new LocalTurns(50);
  // From before the first turn is granted: its hold limit counts from the grant. (Started after
  // it, a busy machine's delay before the second take was taken off the wait: 44 ms, once.)
  const started = Date.now();
  await turns.take('k', far());
  const next = await turns.take('k', far());
  // 49: a timer may fire up to a millisecond early by Date.now().
  expect(Date.now() - started).toBeGreaterThanOrEqual(49);
  next.pass();
  expect(turns.size).toBe(0);
});
