import { BadRequestException, Injectable, Param, applyDecorators, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { INT32_MAX } from '@octave/contracts';

const DIGITS = /^[1-9][0-9]{0,9}$/;

/** The id a text value spells in plain digits (no sign, exponent or leading zero), or undefined. */
export function parseId(value: unknown): number | undefined {
  const id = typeof value === 'string' && DIGITS.test(value) ? Number(value) : NaN;
  return id <= INT32_MAX ? id : undefined;
}

/** A path id: a positive int32 (the data model's integer keys), else 400 — never a 500 from the database. */
@Injectable()
export class ParseIdPipe implements PipeTransform<unknown, number> {
  transform(value: unknown, metadata: ArgumentMetadata): number {
    const id = parseId(value);
    if (id === undefined) {
      throw new BadRequestException(`${metadata.data ?? 'id'} must be a positive integer no larger than ${INT32_MAX}`);
    }
    return id;
  }
}

/** Documents a path id parameter (use with `@IdParam(name)` on the argument). */
export function ApiIdParam(name = 'id', description?: string): MethodDecorator {
  return applyDecorators(
    ApiParam({ name, description, schema: { type: 'integer', minimum: 1, maximum: INT32_MAX } }),
  );
}

/** `@Param(name, ParseIdPipe)`: a path id as a number, or a 400. */
export function IdParam(name = 'id'): ParameterDecorator {
  return Param(name, ParseIdPipe);
}
