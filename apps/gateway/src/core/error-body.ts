import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';

/** The body of every error response of the API. */
export class ErrorBody {
  @ApiProperty({ type: 'integer', example: 404 })
  statusCode!: number;

  @ApiProperty({ example: 'Not Found', description: 'The reason phrase of the status' })
  error!: string;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: 'user 12 not found',
    description: 'What went wrong; a list of messages for validation errors',
  })
  message!: string | string[];
}

export function errorBody(statusCode: number, message: string | string[]): ErrorBody {
  return { statusCode, error: reasonPhrase(statusCode), message };
}

export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? (status >= 500 ? 'Internal Server Error' : 'Error');
}

const descriptions: Record<number, string> = {
  400: 'Invalid input (every field is validated; unknown fields are rejected)',
  401: 'Missing, invalid or expired access token',
  403: 'Authenticated but not allowed',
  404: 'Unknown resource',
  409: 'Conflict (duplicate or wrong state)',
  413: 'Upload or body too large',
  415: 'Not an accepted media type',
  429: 'Rate limited; see the Retry-After header',
  503: 'A dependency (bus, service, database, object store) is unavailable',
  504: 'A service did not answer in time',
};

/**
 * Documents the error statuses of a route. 503 and 504 are added to every route that
 * goes over the bus, which is every route but health, docs and metrics.
 */
export function ApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  const all = [...new Set([...statuses, 503, 504])].sort((a, b) => a - b);
  return applyDecorators(
    ...all.map((status) =>
      ApiResponse({
        status,
        description: descriptions[status] ?? reasonPhrase(status),
        type: ErrorBody,
        ...(status === 429
          ? { headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } } }
          : {}),
      }),
    ),
  );
}
