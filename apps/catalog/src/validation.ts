import { CatalogErrorCode } from '@octave/contracts';
import { problemsAssertion } from '@octave/platform/bus';

/** Throws one 400 listing every problem, as the API does for validation errors. */
export const assertValid = problemsAssertion(CatalogErrorCode.ValidationFailed);
