import { applyDecorators, type ArgumentMetadata, BadRequestException, ValidationPipe } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsInt, Max, Min, ValidateIf } from 'class-validator';
import { INT32_MAX } from '@octave/contracts';

/** Validates an optional body field only when present: absent is fine, null is not. */
export const unlessAbsent = ValidateIf((_: object, value: unknown) => value !== undefined);

/** Deeper than any body of the API; class-transformer recurses, and a deeper body would overflow its stack (a 500). */
export const MAX_BODY_DEPTH = 32;

/** Whether arrays and objects in `value` nest more than `max` levels; iterative, so it cannot overflow itself. */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [v, depth] = pending.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= max) return true;
    for (const child of Object.values(v)) pending.push([child, depth + 1]);
  }
  return false;
}

/**
 * Leaves single path and query values as the strings they came as: their own pipes
 * (ParseIdPipe) parse them strictly, where the stock conversion would have turned
 * `1e3` into 1000 and `abc` into NaN before they looked.
 */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Only client input is checked: custom parameters (the connected socket, the actor)
    // are server objects whose graphs are deep and cyclic.
    if (metadata.type !== 'custom' && nestedDeeperThan(value, MAX_BODY_DEPTH)) {
      throw new BadRequestException(`the ${metadata.type === 'body' ? 'body' : 'input'} is nested more than ${MAX_BODY_DEPTH} levels deep`);
    }
    return super.transform(value, metadata);
  }

  protected override transformPrimitive(value: unknown, _metadata: ArgumentMetadata): unknown {
    return value;
  }
}

/**
 * Every body and query DTO: unknown fields are a 400, values are converted to the
 * DTO's types, and the 400's `message` lists every problem.
 */
export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
  });
}

/** A body or query field holding an id: a positive integer up to INT32_MAX. */
export function IsId(): PropertyDecorator {
  // Bottom-up, as `@IsInt() @Min(1) @Max(INT32_MAX)` would apply: the 400 lists its messages in this order.
  return applyDecorators(Max(INT32_MAX), Min(1), IsInt());
}

/**
 * A body field holding at most `maxItems` ids (positive integers up to INT32_MAX),
 * documented in OpenAPI with `description`. It may be absent, but not null.
 */
export function OptionalIdList(maxItems: number, description: string): PropertyDecorator {
  // Bottom-up, the order in which stacked decorators apply: the 400 lists its messages in this order.
  return applyDecorators(
    Max(INT32_MAX, { each: true }),
    Min(1, { each: true }),
    IsInt({ each: true }),
    ArrayMaxSize(maxItems),
    IsArray(),
    unlessAbsent,
    ApiPropertyOptional({ type: [Number], maxItems, description }),
  );
}
