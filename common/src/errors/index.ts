/** One entry of the API's error body: `{"errors":[{"message","field?"}]}`. */
export interface ErrorItem {
  message: string;
  field?: string;
}

/** Base of every error the API reports on purpose; the error handler turns it into its status and body. */
export abstract class CustomError extends Error {
  abstract readonly statusCode: number;

  constructor(message: string) {
    super(message);
    // Keeps `instanceof` working for subclasses compiled to older targets.
    Object.setPrototypeOf(this, new.target.prototype);
  }

  serializeErrors(): ErrorItem[] {
    return [{ message: this.message }];
  }
}

export class BadRequestError extends CustomError {
  readonly statusCode = 400;
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
  serializeErrors(): ErrorItem[] {
    return this.field ? [{ message: this.message, field: this.field }] : [{ message: this.message }];
  }
}

/** 400 with one item per invalid field. */
export class RequestValidationError extends CustomError {
  readonly statusCode = 400;
  constructor(readonly errors: ErrorItem[]) {
    super(errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('; ') || 'Invalid request');
  }
  serializeErrors(): ErrorItem[] {
    return this.errors;
  }
}

export class NotAuthorizedError extends CustomError {
  readonly statusCode = 401;
  constructor(message = 'Not signed in') {
    super(message);
  }
}

export class PaymentDeclinedError extends CustomError {
  readonly statusCode = 402;
  constructor(message = 'Your card was declined') {
    super(message);
  }
}

export class ForbiddenError extends CustomError {
  readonly statusCode = 403;
  constructor(message = 'Not allowed') {
    super(message);
  }
}

export class NotFoundError extends CustomError {
  readonly statusCode = 404;
  constructor(message = 'Not found') {
    super(message);
  }
}

export class ConflictError extends CustomError {
  readonly statusCode = 409;
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
  serializeErrors(): ErrorItem[] {
    return this.field ? [{ message: this.message, field: this.field }] : [{ message: this.message }];
  }
}

export class PayloadTooLargeError extends CustomError {
  readonly statusCode = 413;
  constructor(message = 'Request body is too large') {
    super(message);
  }
}

export class TooManyRequestsError extends CustomError {
  readonly statusCode = 429;
  constructor(message = 'Too many requests, try again later') {
    super(message);
  }
}

/** 503: a dependency (database, NATS) is not reachable right now. */
export class ServiceUnavailableError extends CustomError {
  readonly statusCode = 503;
  constructor(message = 'Service temporarily unavailable') {
    super(message);
  }
}
