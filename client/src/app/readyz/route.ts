// Readiness: the storefront can serve pages once its server is up. It does not wait for the APIs:
// pages render their errors when an API is down, and tying readiness to them would take every
// storefront pod out of the ingress whenever one backend restarts.
export const dynamic = 'force-dynamic';

export function GET() {
  return Response.json({ status: 'ready' });
}
