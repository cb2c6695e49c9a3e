import { apiGet, apiSend } from '@/lib/api-request';
import { photoErrorFor, withCover, type PhotoDone, type PhotoError } from '@/lib/product-images';
import { IMAGE_LIMITS, type Product } from '@jetmart/common/contracts';

/**
 * The seller's photo forms (on /sell/:id/edit) post here: `intent` upload (a multipart form with
 * the file), delete or cover (with `imageId`). Plain HTML forms, so photos can be managed without
 * JavaScript; the file's bytes are forwarded as they came to POST /api/products/:id/images (the
 * products service checks them by content, whatever the browser says the type is). The answer is
 * a 303 back to the edit page with the outcome in its URL.
 */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  const productPath = `/api/products/${encodeURIComponent(id)}`;
  const back = (outcome: { done: PhotoDone } | { error: PhotoError }) => {
    const q = 'done' in outcome ? `photo=${outcome.done}` : `photoError=${outcome.error}`;
    // A relative Location: the browser resolves it against the address it used, whatever the host.
    return new Response(null, { status: 303, headers: { location: `/sell/${encodeURIComponent(id)}/edit?${q}#photos` } });
  };
  if (!sameOrigin(request)) return back({ error: 'cross-site' });

  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return back({ error: 'failed' });
  }
  const intent = form.get('intent');
  const imageId = String(form.get('imageId') ?? '');

  if (intent === 'upload') {
    const file = form.get('file');
    if (!(file instanceof File) || file.size === 0) return back({ error: 'empty' });
    // Refused here too, so a too-large file is not sent on to the API only to be refused there.
    if (file.size > IMAGE_LIMITS.maxBytes) return back({ error: 'too-large' });
    const bytes = new Uint8Array(await file.arrayBuffer());
    const res = await apiSend(`POST`, `${productPath}/images`, request.headers, { bytes, contentType: 'application/octet-stream' });
    return res.ok ? back({ done: 'uploaded' }) : back({ error: photoErrorFor(res.status, res.errors[0]?.message) });
  }
  if (intent === 'delete' && imageId) {
    const res = await apiSend('DELETE', `${productPath}/images/${encodeURIComponent(imageId)}`, request.headers);
    return res.ok ? back({ done: 'deleted' }) : back({ error: photoErrorFor(res.status, res.errors[0]?.message) });
  }
  if (intent === 'cover' && imageId) {
    // The order is read now, not taken from the form, so a photo added meanwhile is kept.
    const product = await apiGet<Product>(productPath, request.headers);
    if (!product.ok) return back({ error: photoErrorFor(product.status) });
    const imageIds = withCover(
      (product.data.images ?? []).map((img) => img.id),
      imageId,
    );
    if (!imageIds) return back({ error: 'not-found' });
    const res = await apiSend('PUT', `${productPath}/images/order`, request.headers, { json: { imageIds } });
    return res.ok ? back({ done: 'cover' }) : back({ error: photoErrorFor(res.status, res.errors[0]?.message) });
  }
  return back({ error: 'failed' });
}

/**
 * The form was sent from this shop's own pages. The session cookie is SameSite=Lax (a cross-site
 * POST does not carry it), so this is a second line: a browser always sends Origin on a POST.
 */
function sameOrigin(request: Request): boolean {
  const origin = request.headers.get('origin');
  if (!origin) return true;
  const host = request.headers.get('x-forwarded-host') || request.headers.get('host');
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
