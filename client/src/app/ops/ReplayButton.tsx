'use client';

import { useRouter } from 'next/navigation';
import { useState, useSyncExternalStore } from 'react';

const subscribeNothing = () => () => undefined;
const isClient = () => true;
const isServer = () => false;

/** Replays one dead-lettered message through the ops service (POST /api/ops/deadletters/:seq/replay), then re-reads the page with the outcome. */
export function ReplayButton({ seq, subject }: { seq: number; subject: string }) {
  const router = useRouter();
  const [state, setState] = useState<{ busy: boolean; message?: string; error?: boolean }>({ busy: false });
  // Disabled until hydrated: a click on the server-rendered button before React attaches does nothing.
  // (false in the server render and while hydrating, true once React runs the page in the browser)
  const hydrated = useSyncExternalStore(subscribeNothing, isClient, isServer);

  async function replay() {
    setState({ busy: true });
    try {
      const res = await fetch(`/api/ops/deadletters/${seq}/replay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      const body = (await res.json().catch(() => null)) as { errors?: { message: string }[]; subject?: string; seq?: number } | null;
      if (!res.ok) {
        setState({ busy: false, error: true, message: body?.errors?.[0]?.message ?? `Replay failed (HTTP ${res.status})` });
        return;
      }
      // The row disappears with the message; the page says what happened after re-reading.
      setState({ busy: false });
      router.replace(`/ops?replayed=${encodeURIComponent(`${body?.subject} (#${body?.seq})`)}`);
    } catch {
      setState({ busy: false, error: true, message: 'Replay failed: no answer' });
    }
  }

  return (
    <>
      <button
        type="button"
        className="button button-small"
        onClick={replay}
        disabled={!hydrated || state.busy}
        aria-label={`Replay message ${seq} to ${subject}`}
      >
        {state.busy ? 'Replaying…' : 'Replay'}
      </button>
      {state.message ? (
        <span role={state.error ? 'alert' : 'status'} className={state.error ? 'field-error' : undefined}>
          {' '}
          {state.message}
        </span>
      ) : null}
    </>
  );
}
