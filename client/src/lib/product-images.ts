import { IMAGE_LIMITS } from '@jetmart/common/contracts';

/**
 * The seller's photo forms post to the storefront (/sell/:id/images), which forwards them to the
 * products API and sends the browser back to the edit page with the outcome in its URL:
 * `?photo=<done>` or `?photoError=<reason>`. Reasons are short codes, never the API's text, so a
 * crafted link cannot make the shop's page say whatever it likes.
 */
export const PHOTO_DONE = { uploaded: 'Photo added.', deleted: 'Photo deleted.', cover: 'Cover photo changed.' } as const;
export type PhotoDone = keyof typeof PHOTO_DONE;

const MB = Math.round(IMAGE_LIMITS.maxBytes / (1024 * 1024));

export const PHOTO_ERRORS = {
  empty: 'Choose a photo to upload first.',
  'too-large': `That file is too large: a photo can be at most ${MB} MB.`,
  'not-image': 'That file is not a JPEG, PNG or WebP photo, or it is damaged.',
  'too-many-pixels': 'That photo has too many pixels to process; use a smaller one.',
  full: `A product can have at most ${IMAGE_LIMITS.maxPerProduct} photos: delete one first.`,
  forbidden: 'Only the seller of this product can change its photos.',
  'not-found': 'That photo or product no longer exists.',
  'cross-site': 'The request did not come from this shop.',
  unavailable: 'The shop could not save the change right now. Please try again shortly.',
  failed: 'The change could not be saved.',
} as const;
export type PhotoError = keyof typeof PHOTO_ERRORS;

/** The reason shown for the API's answer to an upload, delete or reorder. */
export function photoErrorFor(status: number, message = ''): PhotoError {
  if (status === 413) return 'too-large';
  if (status === 415) return 'not-image';
  if (status === 400) return /pixel|dimension|too (large|big)/i.test(message) ? 'too-many-pixels' : 'not-image';
  if (status === 409) return 'full';
  if (status === 401 || status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 0 || status >= 500) return 'unavailable';
  return 'failed';
}

/** The edit page's notice for its URL, if any. */
export function photoNotice(done: string | undefined, error: string | undefined): { kind: 'done' | 'error'; message: string } | null {
  if (error && error in PHOTO_ERRORS) return { kind: 'error', message: PHOTO_ERRORS[error as PhotoError] };
  if (done && done in PHOTO_DONE) return { kind: 'done', message: PHOTO_DONE[done as PhotoDone] };
  return null;
}

/** The image ids with `coverId` moved to the front (the first image is the cover). */
export function withCover(ids: string[], coverId: string): string[] | null {
  if (!ids.includes(coverId)) return null;
  return [coverId, ...ids.filter((id) => id !== coverId)];
}
