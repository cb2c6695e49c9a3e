'use client';

import { useRouter } from 'next/navigation';
import { useRef, useState, useSyncExternalStore } from 'react';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { callApi } from '@/lib/client-api';

const subscribeNothing = () => () => undefined;
const isClient = () => true;
const isServer = () => false;

type Decision = 'restore' | 'remove';

/**
 * An admin's decision on one hidden review (POST /api/reviews/:id/moderate): restore shows it again,
 * remove takes it down for good, so remove asks first. The page is read again with the outcome: the
 * row leaves the list either way.
 */
export function ModerateReview({ reviewId, author }: { reviewId: string; author: string }) {
  const router = useRouter();
  const [state, setState] = useState<{ busy: boolean; error?: string }>({ busy: false });
  const [confirming, setConfirming] = useState(false);
  const removeButton = useRef<HTMLButtonElement>(null);
  // Disabled until hydrated: a click on the server-rendered button before React attaches does nothing.
  const hydrated = useSyncExternalStore(subscribeNothing, isClient, isServer);

  async function decide(decision: Decision) {
    setState({ busy: true });
    const res = await callApi('POST', `/api/reviews/${encodeURIComponent(reviewId)}/moderate`, { decision });
    if (!res.ok) {
      setState({ busy: false, error: res.errors[0]?.message ?? `The decision failed (HTTP ${res.status})` });
      return;
    }
    setState({ busy: false });
    router.replace(`/ops/reviews?decided=${decision === 'restore' ? 'restored' : 'removed'}`);
  }

  return (
    <>
      <button
        type="button"
        className="button button-small"
        onClick={() => void decide('restore')}
        disabled={!hydrated || state.busy}
        aria-label={`Restore the review by ${author}`}
      >
        Restore
      </button>{' '}
      <button
        ref={removeButton}
        type="button"
        className="button-danger button-small"
        onClick={() => setConfirming(true)}
        disabled={!hydrated || state.busy}
        aria-label={`Remove the review by ${author}`}
      >
        Remove
      </button>
      {state.error ? (
        <span role="alert" className="field-error">
          {' '}
          {state.error}
        </span>
      ) : null}
      {confirming ? (
        <ConfirmDialog
          title="Remove this review?"
          description="The review disappears for everyone but its author and leaves the product's rating. This cannot be undone."
          confirmLabel="Yes, remove it"
          dismissLabel="Keep it hidden"
          onConfirm={() => {
            setConfirming(false);
            void decide('remove');
          }}
          onDismiss={() => {
            setConfirming(false);
            removeButton.current?.focus();
          }}
        />
      ) : null}
    </>
  );
}
