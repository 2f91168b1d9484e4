import { describe, expect, it } from '@jest/globals';
import { BadRequestException } from '@nestjs/common';
import { IsInt, IsString, Max, Min } from 'class-validator';
import { INT32_MAX } from '@octave/contracts';
import { createValidationPipe, IsId, MAX_BODY_DEPTH, nestedDeeperThan, OptionalIdList } from './validation.js';

class NameDto {
  @IsString()
  name!: string;
}

class IdsDto {
  @OptionalIdList(2, 'Some ids')
  ids?: number[];
}

class IdDto {
  @IsId()
  id!: number;
}

class SpelledOutIdDto {
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  id!: number;
}

/** The messages of the 400 the validation pipe answers `body` with. */
async function problems(metatype: new () => object, body: unknown): Promise<unknown> {
  const err = await createValidationPipe()
    .transform(body, { type: 'body', metatype })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  if (!(err instanceof BadRequestException)) throw new Error(`expected a 400 for ${JSON.stringify(body)}`);
  return (err.getResponse() as { message: unknown }).message;
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

describe(OptionalIdList.name, () => {
  const pipe = createValidationPipe();
  const metadata = { type: 'body' as const, metatype: IdsDto };

  it('takes an absent field and a list of up to maxItems ids', async () => {
    await expect(pipe.transform({}, metadata)).resolves.toEqual({});
    await expect(pipe.transform({ ids: [] }, metadata)).resolves.toEqual({ ids: [] });
    await expect(pipe.transform({ ids: [1, INT32_MAX] }, metadata)).resolves.toEqual({ ids: [1, INT32_MAX] });
  });

  it('refuses null, too many ids and ids that are not positive int32s, listing each problem', async () => {
    expect(await problems(IdsDto, { ids: null })).toEqual([
      `each value in ids must not be greater than ${INT32_MAX}`,
      'each value in ids must not be less than 1',
      'each value in ids must be an integer number',
      'ids must contain no more than 2 elements',
      'ids must be an array',
    ]);
    expect(await problems(IdsDto, { ids: [1, 2, 3] })).toEqual(['ids must contain no more than 2 elements']);
    expect(await problems(IdsDto, { ids: [0] })).toEqual(['each value in ids must not be less than 1']);
    expect(await problems(IdsDto, { ids: [1.5] })).toEqual(['each value in ids must be an integer number']);
    expect(await problems(IdsDto, { ids: [INT32_MAX + 1] })).toEqual([`each value in ids must not be greater than ${INT32_MAX}`]);
  });
});

describe(IsId.name, () => {
  it('takes a positive int32', async () => {
    const pipe = createValidationPipe();
    for (const id of [1, INT32_MAX]) {
      await expect(pipe.transform({ id }, { type: 'body', metatype: IdDto })).resolves.toEqual({ id });
    }
  });

  it('refuses anything else with the messages of @IsInt() @Min(1) @Max(INT32_MAX), in their order', async () => {
    expect(await problems(IdDto, { id: null })).toEqual([
      `id must not be greater than ${INT32_MAX}`,
      'id must not be less than 1',
      'id must be an integer number',
    ]);
    for (const id of [undefined, '1', 0, -1, 1.5, INT32_MAX + 1]) {
      expect(await problems(IdDto, { id })).toEqual(await problems(SpelledOutIdDto, { id }));
    }
  });
});
