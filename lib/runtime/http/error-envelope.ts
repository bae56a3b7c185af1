import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ZodError } from 'zod';
import type { ErrorEnvelope } from '../../contracts/http.ts';
import { DomainError } from '../../errors.ts';
import { logger } from '../observability.ts';

const MAX_ISSUES = 20;

function describeZodError(error: ZodError): { message: string; details: Record<string, unknown> } {
  const issues = error.issues.slice(0, MAX_ISSUES).map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
  const first = issues[0];
  return {
    message: first ? `${first.path}: ${first.message}` : 'Request validation failed',
    details: { issues },
  };
}

/** Builds the envelope answer for any error; unknown errors become a 500 that reveals nothing. */
export function errorResponse(error: unknown, requestId: string): APIGatewayProxyResult {
  let status = 500;
  let envelope: ErrorEnvelope;
  if (error instanceof DomainError) {
    status = error.status;
    envelope = {
      error: {
        code: error.code,
        message: error.message,
        requestId,
        ...(error.details ? { details: error.details } : {}),
      },
    };
  } else if (error instanceof ZodError) {
    status = 400;
    const { message, details } = describeZodError(error);
    envelope = { error: { code: 'VALIDATION_FAILED', message, requestId, details } };
  } else {
    logger.error('Unhandled error', error as Error);
    envelope = { error: { code: 'INTERNAL', message: 'An unexpected error occurred', requestId } };
  }
  if (status >= 500 && error instanceof DomainError) logger.error('Server-side domain error', error);
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': requestId },
    body: JSON.stringify(envelope),
  };
}

/** middy middleware: every error leaves as the one envelope, mapped by its type. */
export function errorEnvelope(): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: async (request) => {
      const requestId =
        request.event?.requestContext?.requestId ?? request.context?.awsRequestId ?? 'unknown';
      request.response = errorResponse(request.error, requestId);
    },
  };
}
