// Liveness for Kubernetes and the local platform: the Next.js server answers.
export const dynamic = 'force-dynamic';

export function GET() {
  return Response.json({ status: 'ok' });
}
