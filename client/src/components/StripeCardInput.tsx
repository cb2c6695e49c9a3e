'use client';

import { useEffect, useRef, useState } from 'react';

/** The slice of Stripe.js v3 this page uses (loaded from js.stripe.com, as Stripe requires). */
interface StripeCardElement {
  mount(el: HTMLElement): void;
  destroy(): void;
}
interface StripeJs {
  elements(): { create(type: 'card', options?: object): StripeCardElement };
  createToken(card: StripeCardElement): Promise<{ token?: { id: string }; error?: { message?: string } }>;
}
declare global {
  interface Window {
    Stripe?: (publishableKey: string) => StripeJs;
  }
}

let stripeScript: Promise<void> | null = null;
function loadStripeJs(): Promise<void> {
  if (window.Stripe) return Promise.resolve();
  stripeScript ??= new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = 'https://js.stripe.com/v3/';
    s.async = true;
    s.onload = () => resolve();
    s.onerror = () => {
      stripeScript = null;
      reject(new Error('Stripe.js could not be loaded'));
    };
    document.head.appendChild(s);
  });
  return stripeScript;
}

/** What the pay form calls to turn the card the user typed into a token for POST /api/payments. */
export type TokenSource = () => Promise<{ token: string } | { error: string }>;

/** A Stripe Elements card field. Reports a token source once Stripe.js is ready. */
export function StripeCardInput({ publishableKey, onReady }: { publishableKey: string; onReady: (source: TokenSource | null) => void }) {
  const mountRef = useRef<HTMLDivElement>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => {
    let card: StripeCardElement | null = null;
    let cancelled = false;
    loadStripeJs()
      .then(() => {
        if (cancelled || !window.Stripe || !mountRef.current) return;
        const stripe = window.Stripe(publishableKey);
        const mounted = stripe.elements().create('card', { hidePostalCode: true });
        card = mounted;
        mounted.mount(mountRef.current);
        onReady(async () => {
          const { token, error } = await stripe.createToken(mounted);
          return token ? { token: token.id } : { error: error?.message ?? 'Your card could not be read.' };
        });
      })
      .catch((err: Error) => setLoadError(err.message));
    return () => {
      cancelled = true;
      card?.destroy();
      onReady(null);
    };
  }, [publishableKey, onReady]);

  return (
    <div className="field">
      <label id="card-label">Card</label>
      <div ref={mountRef} className="card-element" role="group" aria-labelledby="card-label" />
      {loadError ? <p className="field-error">{loadError}</p> : null}
    </div>
  );
}
