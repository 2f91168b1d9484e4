import { describe, expect, it } from '@jest/globals';
import { BadRequestException } from '@nestjs/common';
import { IsString } from 'class-validator';
import { createValidationPipe, MAX_BODY_DEPTH, nestedDeeperThan } from './validation.js';

class NameDto {
  @IsString()
  name!: string;
}

const nest = (levels: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = i % 2 ? [v] : { name: v };
  return v;
};

describe('nestedDeeperThan', () => {
  it('counts object and array levels', () => {
    expect(nestedDeeperThan('x', 0)).toBe(false);
    expect(nestedDeeperThan({ a: [1] }, 2)).toBe(false);
    expect(nestedDeeperThan({ a: [{}] }, 2)).toBe(true);
  });
});

describe('createValidationPipe', () => {
  it('refuses a body nested deeper than MAX_BODY_DEPTH with a 400, not a stack overflow', async () => {
    const pipe = createValidationPipe();
    const metadata = { type: 'body' as const, metatype: NameDto };
    await expect(pipe.transform(nest(100_000), metadata)).rejects.toBeInstanceOf(BadRequestException);
    await expect(pipe.transform({ name: nest(MAX_BODY_DEPTH + 1) }, metadata)).rejects.toBeInstanceOf(BadRequestException);
    await expect(pipe.transform({ name: 'ok' }, metadata)).resolves.toEqual({ name: 'ok' });
  });
});
