'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

const LINKS = [
  { href: '/sell/dashboard', label: 'Dashboard' },
  { href: '/sell', label: 'My products' },
  { href: '/sell/sales', label: 'Sales' },
  { href: '/sell/payouts', label: 'Payouts' },
] as const;

/** The seller area's own pages; the one shown is marked for assistive technology (aria-current). */
export function SellerNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Seller area" className="seller-nav">
      {LINKS.map((l) => (
        <Link key={l.href} href={l.href} aria-current={pathname === l.href ? 'page' : undefined}>
          {l.label}
        </Link>
      ))}
    </nav>
  );
}
