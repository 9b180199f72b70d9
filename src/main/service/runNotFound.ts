// The NOT_FOUND of an unknown run id, worded the same by every slice that looks a run up.
import { RlmError } from '../../shared/errors';

export function runNotFound(runId: string): never {
  throw new RlmError('NOT_FOUND', `no run ${runId}`);
}
