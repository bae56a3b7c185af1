/**
 * Typed domain errors. The HTTP error middleware maps each `code` to a status; nothing else about an
 * error (stack, cause) ever reaches a caller.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  /** Extra, caller-safe details (for example the SKUs that ran out). */
  readonly details?: Record<string, unknown>;

  constructor(message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    if (details) this.details = details;
  }
}

export class ValidationError extends DomainError {
  readonly code = 'VALIDATION_FAILED';
  readonly status = 400;
}

export class MalformedRequestError extends DomainError {
  readonly code = 'MALFORMED_REQUEST';
  readonly status = 400;
}

export class UnauthorizedError extends DomainError {
  readonly code = 'UNAUTHORIZED';
  readonly status = 401;
}

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
  readonly status = 403;
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  readonly status = 404;
}

export class RouteNotFoundError extends DomainError {
  readonly code = 'ROUTE_NOT_FOUND';
  readonly status = 404;
}

export class MethodNotAllowedError extends DomainError {
  readonly code = 'METHOD_NOT_ALLOWED';
  readonly status = 405;
}

export class ConflictError extends DomainError {
  readonly code: string = 'CONFLICT';
  readonly status = 409;
}

export class PayloadTooLargeError extends DomainError {
  readonly code = 'PAYLOAD_TOO_LARGE';
  readonly status = 413;
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
  readonly status = 415;
}

export class UnprocessableError extends DomainError {
  readonly code: string = 'UNPROCESSABLE';
  readonly status = 422;
}

/** A product, collection or other record refers to something that does not exist. */
export class UnknownReferenceError extends UnprocessableError {
  override readonly code = 'UNKNOWN_REFERENCE';
}

/** A write lost an optimistic-concurrency race; the caller may re-read and retry. */
export class VersionConflictError extends ConflictError {
  override readonly code = 'VERSION_CONFLICT';
}

/** The resource changed since the version named in `If-Match`. */
export class PreconditionFailedError extends DomainError {
  readonly code = 'PRECONDITION_FAILED';
  readonly status = 412;
}
