import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { Header } from '@/components/Header';
import { getCurrentUser } from '@/lib/server-api';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'jetmart', template: '%s · jetmart' },
  description: 'An open-source marketplace: list products, buy from other sellers.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await getCurrentUser();
  return (
    <html lang="en">
      <body>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <Header user={user} />
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
