import { type ArgumentMetadata, ValidationPipe } from '@nestjs/common';

/**
 * Leaves single path and query values as the strings they came as: their own pipes
 * (ParseIdPipe) parse them strictly, where the stock conversion would have turned
 * `1e3` into 1000 and `abc` into NaN before they looked.
 */
class StrictValidationPipe extends ValidationPipe {
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
