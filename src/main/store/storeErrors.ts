// How the store's failures reach the engine and the UI: as RlmErrors with stable codes.
import { RlmError } from '../../shared/errors';

/** Store failures reach the engine and the UI as STORE_FAILED, naming the operation. */
export function guard<T>(operation: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof RlmError) throw error;
    throw new RlmError('STORE_FAILED', `${operation}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function missingRunOr(runId: string, error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' ? missingRun(runId) : error;
}

export function missingRun(runId: string): RlmError {
  return new RlmError('NOT_FOUND', `run ${runId} not found`);
}

export function missingNode(runId: string, id: number): RlmError {
  return new RlmError('NOT_FOUND', `node ${id} of run ${runId} not found`);
}
