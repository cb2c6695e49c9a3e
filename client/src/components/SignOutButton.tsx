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
        // A full navigation so every server-rendered part sees the cleared session.
        window.location.assign('/');
      }}
    >
      {busy ? 'Signing out…' : 'Sign out'}
    </button>
  );
}
