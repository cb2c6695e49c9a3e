'use client';

import { useState } from 'react';
import { callApi } from '@/lib/client-api';

export function SignOutButton() {
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      className="link-button"
      disabled={busy}
      onClick={async () => {
        setBusy(true);
        await callApi('POST', '/api/users/signout', {});
        // eslint-disable-next-line @next/next/no-location-assign-relative-destination -- a full load on purpose: every server-rendered part (and the client router's cache) must see the cleared session
        window.location.assign('/');
      }}
    >
      {busy ? 'Signing out…' : 'Sign out'}
    </button>
  );
}
