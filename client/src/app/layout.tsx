import type { Metadata, Viewport } from 'next';
import { cookies } from 'next/headers';
import type { ReactNode } from 'react';
import { Header } from '@/components/Header';
import { getCurrentUser, getUnreadNotifications } from '@/lib/server-api';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'jetmart', template: '%s · jetmart' },
  description: 'An open-source marketplace: list products, buy from other sellers.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The bell's count is asked for alongside the user (not after), so it adds no round trip; a
  // visitor with no session cookie cannot have any and is not asked about.
  const hasSession = (await cookies()).has('session');
  const [user, unread] = await Promise.all([getCurrentUser(), hasSession ? getUnreadNotifications() : null]);
  return (
    <html lang="en">
      <body>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <Header user={user} unread={user ? unread : null} />
        <main id="main" className="container">
          {children}
        </main>
        <footer className="site-footer container">
          <p>jetmart — open-source marketplace</p>
        </footer>
      </body>
    </html>
  );
}
