import { currentAdmin, replayDeadLetter, ReplayError } from '@/app/ops/lib/ops';

export const dynamic = 'force-dynamic';

const errors = (status: number, message: string) => Response.json({ errors: [{ message }] }, { status });

/**
 * Replays one dead-lettered message to its original subject. Admins only (others get the same
 * 404 as an unknown route). Only JSON requests are taken: a cross-site form cannot send one
 * without a CORS preflight, and the session cookie is sameSite=lax besides.
 */
export async function POST(request: Request, { params }: { params: Promise<{ seq: string }> }) {
  if (!(await currentAdmin())) return errors(404, 'Not found');
  if (!/^application\/json\b/.test(request.headers.get('content-type') ?? '')) return errors(415, 'Send application/json');
  const { seq: raw } = await params;
  const seq = Number(raw);
  if (!Number.isSafeInteger(seq) || seq < 1) return errors(400, 'seq must be a positive whole number');
  try {
    return Response.json(await replayDeadLetter(seq));
  } catch (err) {
    if (err instanceof ReplayError) return errors(err.status, err.message);
    return errors(503, `NATS: ${(err as Error).message}`);
  }
}
