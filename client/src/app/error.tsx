'use client';

export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="form-errors" role="alert">
      <p>Something went wrong while showing this page.</p>
      <button type="button" onClick={() => reset()}>
        Try again
      </button>
    </div>
  );
}
