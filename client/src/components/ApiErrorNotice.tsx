import type { ApiErrorItem } from '@jetmart/common/contracts';

/** A page-level error from the API (e.g. a service that is down): the page still renders around it. */
export function ApiErrorNotice({ errors, title = 'Something went wrong' }: { errors: ApiErrorItem[]; title?: string }) {
  return (
    <div className="form-errors" role="alert">
      <p>
        <strong>{title}.</strong> {errors.map((e) => e.message).join(' ')}
      </p>
    </div>
  );
}
