// A run from its inputs to its end: the inputs are stored first, then the engine runs.
import { PART_BYTES, type RunSummary } from '../../shared/domain/run';
import type { RunContext } from '../engine/runContext';
import { executeRun } from '../engine/runner';
import type { ResolvedInputs } from '../input/resolveInputs';
import { TextCheck } from '../input/textCheck';
import type { DocumentStore, FileProgress } from '../store/documentStore';
import type { RunRepository } from '../store/runRepository';

/** Inputs this large tell their progress while they are read before the first step (run.inputProgress). */
export const INPUT_PROGRESS_MIN_BYTES = 64 * 1024 * 1024;

/** About every tenth of a large file, and at its end, per pass; nothing for a smaller one. */
function inputProgress(context: RunContext, name: string, totalBytes: number): FileProgress | undefined {
  if (totalBytes < INPUT_PROGRESS_MIN_BYTES) return undefined;
  const step = totalBytes / 10;
  let next = { checking: step, storing: step };
  return (phase, doneBytes) => {
    if (doneBytes < next[phase] && doneBytes < totalBytes) return;
    next = { ...next, [phase]: doneBytes + step };
    context.deps.recorder.inputProgress(name, phase, doneBytes, totalBytes);
  };
}

export async function executeWithInputs(context: RunContext, inputs: ResolvedInputs, store: RunRepository, documents: DocumentStore): Promise<RunSummary> {
  const { runId } = context.settings;
  const hashes: string[] = [];
  try {
    // The inputs are stored once, by content, before the first step: a run can be replayed.
    for (const [ord, item] of inputs.items.entries()) {
      // Storing reads each file in full: that read also checks the bytes past the head judged at the start.
      const stored =
        'path' in item
          ? await documents.putFile(item.path, item.name, new TextCheck(item.name, item.encoding ?? 'utf-8'), inputProgress(context, item.name, item.bytes))
          : documents.putText(item.text);
      store.addInput(runId, ord, { name: item.name, hash: stored.hash, bytes: stored.bytes });
      hashes.push(stored.hash);
    }
  } catch (error) {
    return context.deps.recorder.finishRun({ status: 'failed', answer: null, stopReason: 'error', error: (error as Error).message });
  }
  return executeRun(context, {
    context: inputs.items.length === 0 ? { kind: 'none' } : {
      kind: 'items',
      items: inputs.items.map((item) =>
        'path' in item ? { name: item.name, path: item.path, ...(item.encoding ? { encoding: item.encoding } : {}) } : { name: item.name, text: item.text },
      ),
      asArray: inputs.asArray,
      // A fork splits its input as the run it re-runs did (RunSettings.partBytes).
      partBytes: context.settings.partBytes ?? PART_BYTES,
    },
    readablePaths: inputs.readablePaths,
    contextBytes: inputs.totalBytes,
    documents: hashes,
  });
}
