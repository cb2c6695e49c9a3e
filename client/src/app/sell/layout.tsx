import type { ReactNode } from 'react';
import { SellerNav } from '@/components/SellerNav';

/** Every page of the seller area starts with the area's own navigation. */
export default function SellerLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <SellerNav />
      {children}
    </>
  );
}
