import { describe, expect, it } from '@jest/globals';
import { eventually } from './eventually.js';

describe(eventually.name, () => {
  it('returns the first value that is neither undefined nor false', async () => {
    const answers = [undefined, false, 0, 1];
    await expect(eventually(() => answers.shift(), 'a number')).resolves.toBe(0);
    let calls = 0;
    await expect(eventually(async () => ++calls >= 3 && 'done', 'the third call')).resolves.toBe('done');
    expect(calls).toBe(3);
  });

  it('fails naming what it waited for once the time is up', async () => {
    await expect(eventually(() => false, 'the impossible', 120)).rejects.toThrow('timed out after 120 ms waiting for the impossible');
  });
});
