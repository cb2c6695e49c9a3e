'use client';

import { useHydrated } from '@/lib/clock';

const OPTIONS: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' };

function format(iso: string, timeZone?: string): string | null {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : new Intl.DateTimeFormat('en-US', { ...OPTIONS, timeZone }).format(date);
}

/**
 * A date and time in the reader's time zone. The server does not know that zone, so the HTML
 * carries the time in UTC (marked so); once hydrated it is shown in the browser's zone.
 */
export function LocalDateTime({ iso, testId }: { iso: string; testId?: string }) {
  const hydrated = useHydrated();
  const utc = format(iso, 'UTC');
  if (utc === null) return <span data-testid={testId}>unknown date</span>;
  return (
    <time dateTime={iso} data-testid={testId}>
      {hydrated ? format(iso) : `${utc} UTC`}
    </time>
  );
}
