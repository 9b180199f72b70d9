// What the page shows of a failed call. The API rejects with plain ErrorData `{ code, message }`
// (an Error would lose its code crossing the desktop bridge); anything else is shown as it is.
import { toErrorData, type ErrorData } from '../../shared/errors';

export function describeError(error: unknown): ErrorData {
  return toErrorData(error);
}

export function errorText(error: unknown): string {
  return toErrorData(error).message;
}
