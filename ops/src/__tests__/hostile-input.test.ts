/**
 * Hostile input at every ops route (SPEC invariant 6): hostile sequences, limits, bodies, content
 * types and session cookies. Every answer is < 500 and, when it is an error, a 4xx in the
 * documented shape {errors:[{message, field?}]}; nothing is replayed by anything but a valid
 * request, and no forged cookie gets past the admin check. Seeded, so a failure reproduces. The
 * arbitraries and assertions shared by every service are in @jetmart/common/testing (hostile.ts).
 */
import fc from 'fast-check';
import request from 'supertest';
import { Streams } from '@jetmart/common';
import {
  expectErrorShape,
  expectNever5xx,
  hostileCookie,
  percentEncode,
  rawBody,
  rawSegment,
  readStream,
  signinCookie,
  TEST_JWT_KEY,
  weirdString,
} from '@jetmart/common/testing';
import { adminCookie, useOps } from './fixtures';

const ops = useOps('ops-hostile');
const RUNS = Number(process.env.HOSTILE_RUNS ?? 200);
const params = (seed: number) => ({ numRuns: RUNS, seed });
/** Node answers a request line or headers over 16 KiB itself (431, before any route): keep under it. */
const fitsRequest = weirdString.filter((s) => s.length < 2000);

/** DEADLETTER holds one message that a hostile request must never replay. */
let seq = 0;
beforeEach(async () => {
  seq = await ops.deadLetter('{"id":"not-an-event"}');
});
/** The dead letter is where it was, and nothing was republished (PRODUCTS holds only the original). */
async function expectNothingReplayed(): Promise<void> {
  expect((await readStream(ops.bus, Streams.deadLetter.name)).map((m) => m.seq)).toEqual([seq]);
  expect((await readStream(ops.bus, Streams.products.name)).length).toBe(1);
}

// Sequences that are not the plain positive whole number of a message: near misses of `seq` too.
const hostileSeq = () =>
  fc.oneof(
    fitsRequest.map(percentEncode),
    rawSegment,
    fc
      .constantFrom(
        `0${seq}`,
        `+${seq}`,
        `${seq}.0`,
        `${seq}e0`,
        ` ${seq}`,
        `${seq} `,
        `-${seq}`,
        '0x1',
        '9'.repeat(400),
        'NaN',
        'Infinity',
      )
      .map(encodeURIComponent),
  );

describe('ops: hostile input never answers 5xx and never replays', () => {
  it('POST /api/ops/deadletters/:seq/replay with hostile sequences → 4xx, the message stays', async () => {
    await fc.assert(
      fc.asyncProperty(hostileSeq(), async (s) => {
        const res = await request(ops.app()).post(`/api/ops/deadletters/${s}/replay`).set('Cookie', adminCookie()).send({});
        expect(res.status).toBeGreaterThanOrEqual(400);
        expectErrorShape(res);
      }),
      params(601),
    );
    await expectNothingReplayed();
  });

  it('GET /api/ops/deadletters with hostile limits → 200 or 400 naming limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fitsRequest, fc.integer().map(String), fc.constantFrom('500', '1', '501', '1e1', '0x10')),
        fc.boolean(),
        async (limit, twice) => {
          const q = `limit=${percentEncode(limit)}${twice ? `&limit=${percentEncode(limit)}` : ''}`;
          const res = await request(ops.app()).get(`/api/ops/deadletters?${q}`).set('Cookie', adminCookie());
          expectNever5xx(res);
          if (res.status === 200) expect(res.body.messages.map((m: { seq: number }) => m.seq)).toEqual([seq]);
          else expect(res.body.errors[0].field).toBe('limit');
        },
      ),
      params(602),
    );
    await expectNothingReplayed();
  });

  it('replay with malformed JSON, non-objects and wrong content types → 4xx in the error shape, or the replay of a well-formed JSON request', async () => {
    // Bodies are not read, but an unparseable one must be refused before anything is done.
    await fc.assert(
      fc.asyncProperty(
        rawBody,
        fc.constantFrom(
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/json; charset=latin1',
        ),
        async (raw, type) => {
          const res = await request(ops.app())
            .post(`/api/ops/deadletters/${seq}/replay`)
            .set('Cookie', adminCookie())
            .set('Content-Type', type)
            .send(raw);
          expectErrorShape(res);
        },
      ),
      params(603),
    );
    await expectNothingReplayed();
  });

  it('hostile session cookies → 401 on every route; a valid session of a non-admin → 403', async () => {
    const routes = [
      () => request(ops.app()).get('/api/ops/status'),
      () => request(ops.app()).get('/api/ops/deadletters'),
      () => request(ops.app()).post(`/api/ops/deadletters/${seq}/replay`).send({}),
    ];
    await fc.assert(
      fc.asyncProperty(hostileCookie, fc.constantFrom(0, 1, 2), async (cookie, i) => {
        const res = await routes[i]().set('Cookie', cookie);
        expect(res.status).toBe(401);
        expectErrorShape(res);
      }),
      params(604),
    );
    // Emails that only look like the admin's: another case is the same address, these are not.
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fitsRequest,
          fc.constantFrom('ops-admin@example.com ', 'ops-admin@example.com,', 'ops-admin@example.co', '*', '', 'someone@example.com ,x'),
        ),
        fc.constantFrom(0, 1, 2),
        async (email, i) => {
          fc.pre(!['someone@example.com', 'ops-admin@example.com'].includes(email.trim().toLowerCase()));
          const res = await routes[i]().set('Cookie', signinCookie({ email }, { key: TEST_JWT_KEY }));
          expect(res.status).toBe(403);
          expectErrorShape(res);
        },
      ),
      params(605),
    );
    await expectNothingReplayed();
  });

  it('a body over the limit → 413', async () => {
    const res = await request(ops.app())
      .post(`/api/ops/deadletters/${seq}/replay`)
      .set('Cookie', adminCookie())
      .send({ pad: 'x'.repeat(200 * 1024) });
    expect(res.status).toBe(413);
    expectErrorShape(res);
    await expectNothingReplayed();
  });
});
