import type { Metadata } from 'next';
import Link from 'next/link';

export const metadata: Metadata = { title: 'Not found' };

export default function NotFound() {
  return (
    <div className="empty">
      <h1>Not found</h1>
      <p>
        That page does not exist, or it is not yours to see. <Link href="/">Back to the catalog</Link>
      </p>
    </div>
  );
}
