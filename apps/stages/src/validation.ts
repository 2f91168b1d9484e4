import { problemsAssertion } from '@octave/platform/bus';
import { StagesLocalErrorCode } from './stages/stages.errors.js';

/** Throws one 400 listing every problem, as the API does for validation errors. */
export const assertValid = problemsAssertion(StagesLocalErrorCode.ValidationFailed);
