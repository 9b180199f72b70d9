// Runs a whole run from its root RLM to its end, and records how it ended.
import type { RunSummary, StopReason, RunStatus } from '../../shared/domain/run';
import { errorMessage } from './modelCall';
import { runRlm, type RlmTask } from './rlm';
import type { RunContext } from './runContext';
import { sandboxMemoryMb } from './sandboxMemory';

export type RootInputs = Pick<RlmTask, 'context' | 'readablePaths' | 'documents'> & {
  /** Size of the input in bytes: the default sandbox memory limit is three times this, at least 2 GB. */
  contextBytes: number;
};

export async function executeRun(run: RunContext, inputs: RootInputs): Promise<RunSummary> {
  const { recorder } = run.deps;
  run.startClock();
  let end: { status: RunStatus; answer: string | null; stopReason: StopReason | null; error: string | null };
  const { contextBytes, ...rootInputs } = inputs;
  const memoryMb = sandboxMemoryMb(run.limits.sandboxMemoryMb, contextBytes);
  // The root's sandbox sizes the run's sandbox memory and holds its share until it is disposed.
  const releaseMemory = run.holdRootSandbox(memoryMb);
  try {
    const outcome = await runRlm(run, {
      parentId: null,
      depth: 0,
      query: run.settings.query,
      model: run.settings.rootModel,
      memoryMb,
      cache: run.deps.cache ?? null,
      ...rootInputs,
    });
    end =
      outcome.answer !== null
        ? { status: 'completed', answer: outcome.answer, stopReason: outcome.stopReason, error: null }
        : { status: 'stopped', answer: null, stopReason: outcome.stopReason ?? 'no-answer', error: 'the model gave no answer' };
  } catch (error) {
    const stopped = run.stopReason;
    end = stopped
      ? { status: 'stopped', answer: null, stopReason: stopped.reason, error: stopped.message }
      : { status: 'failed', answer: null, stopReason: 'error', error: errorMessage(error) };
  } finally {
    releaseMemory();
    run.stopClock();
  }
  // A stop aborts calls in flight; what the provider billed them is recorded before the run's end.
  await run.idle();
  return recorder.finishRun(end);
}
