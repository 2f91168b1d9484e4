import { describe, expect, it } from '@jest/globals';
import { BadRequestException, HttpException, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { RpcCallError } from '@octave/platform/bus';
import { ObjectTooLargeError } from '@octave/platform/storage';
import { mapException } from './http-error.filter.js';

const LIMIT = 1024;

function fastifyError(code: string, statusCode: number, message: string): Error {
  return Object.assign(new Error(message), { name: 'FastifyError', code, statusCode });
}

describe(mapException.name, () => {
  it('keeps the status and message of an HttpException', () => {
    expect(mapException(new NotFoundException('song 12 not found'), LIMIT)).toEqual({
      body: { statusCode: 404, error: 'Not Found', message: 'song 12 not found' },
      log: undefined,
    });
  });

  it('keeps the list of a validation error', () => {
    const mapped = mapException(new BadRequestException(['name should not be empty', 'property x should not exist']), LIMIT);
    expect(mapped.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: ['name should not be empty', 'property x should not exist'],
    });
  });

  it('uses the reason phrase of the status as error, whatever the exception says', () => {
    expect(mapException(new UnauthorizedException('invalid or missing access token'), LIMIT).body.error).toBe('Unauthorized');
    expect(mapException(new HttpException('slow down', 429), LIMIT).body.error).toBe('Too Many Requests');
  });

  it('maps an RPC error envelope, with Retry-After for a 429', () => {
    const throttled = new RpcCallError({ code: 'LOGIN_THROTTLED', status: 429, message: 'too many attempts', retryAfterSeconds: 30 });
    expect(mapException(throttled, LIMIT)).toEqual({
      body: { statusCode: 429, error: 'Too Many Requests', message: 'too many attempts' },
      retryAfterSeconds: 30,
      log: undefined,
    });
    const invalid = new RpcCallError({ code: 'VALIDATION_FAILED', status: 400, message: ['a', 'b'] });
    expect(mapException(invalid, LIMIT).body.message).toEqual(['a', 'b']);
  });

  it('warns about a bus timeout or a missing service and reports a service bug as an error', () => {
    expect(mapException(new RpcCallError({ code: 'BUS_TIMEOUT', status: 504, message: 't' }), LIMIT)).toMatchObject({
      body: { statusCode: 504, error: 'Gateway Timeout' },
      log: 'warn',
    });
    expect(mapException(new RpcCallError({ code: 'SERVICE_UNAVAILABLE', status: 503, message: 'u' }), LIMIT).log).toBe('warn');
    expect(mapException(new RpcCallError({ code: 'INTERNAL_ERROR', status: 500, message: 'i' }), LIMIT).log).toBe('error');
  });

  it('answers an upload over the limit with 413', () => {
    expect(mapException(new ObjectTooLargeError(5), LIMIT).body).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      message: 'file is larger than 5 bytes',
    });
  });

  it('rewords the errors Fastify raises before a route runs', () => {
    const tooLarge = new HttpException('Request body is too large', 413, {
      cause: fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413, 'Request body is too large'),
    });
    expect(mapException(tooLarge, LIMIT).body).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      message: 'request body is larger than 1024 bytes',
    });
    const media = new HttpException('Unsupported Media Type: application/xml', 415, {
      cause: fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'Unsupported Media Type: application/xml'),
    });
    expect(mapException(media, LIMIT).body).toEqual({
      statusCode: 415,
      error: 'Unsupported Media Type',
      message: 'Unsupported Media Type: application/xml',
    });
  });

  it('keeps the status of a plugin error thrown inside a route', () => {
    expect(mapException(fastifyError('FST_REQ_FILE_TOO_LARGE', 413, 'request file too large'), LIMIT).body).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      message: 'uploaded file is too large',
    });
    const syntax = Object.assign(new SyntaxError('Unexpected end of JSON input'), { statusCode: 400 });
    expect(mapException(syntax, LIMIT).body.message).toBe('request body is not valid JSON');
  });

  it('answers anything else with a 500 that tells nothing and is logged', () => {
    expect(mapException(new TypeError('x is undefined'), LIMIT)).toEqual({
      body: { statusCode: 500, error: 'Internal Server Error', message: 'Internal Server Error' },
      log: 'error',
    });
    expect(mapException('a string', LIMIT).body.statusCode).toBe(500);
    // A 5xx status on a random error is not trusted: it is still a bug of ours.
    expect(mapException(Object.assign(new Error('x'), { statusCode: 502 }), LIMIT).body.statusCode).toBe(500);
  });
});
