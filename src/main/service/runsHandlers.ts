// The `runs` slice (src/shared/api/runs.ts): reading runs from the store, steering the ones this
// process runs (activeRuns.ts), and deleting finished ones.
import type { runsMethods } from '../../shared/api/runs';
import { RlmError } from '../../shared/errors';
import { ownerCheck } from '../store/ownerCheck';
import type { DeleteRun } from '../store/runDeletion';
import type { RunRepository } from '../store/runRepository';
import { STALE_OWNER_MS, type ActiveRuns } from './activeRuns';
import type { EventBus } from './eventBus';
import type { Handlers } from './handlers';
import { runNotFound } from './runNotFound';

export interface RunsHandlerDeps {
  store: RunRepository;
  activeRuns: ActiveRuns;
  deleteRun: DeleteRun;
  bus: EventBus;
}

export function runsHandlers({ store, activeRuns, deleteRun, bus }: RunsHandlerDeps): Handlers<keyof typeof runsMethods> {
  return {
    'runs.start': (p) => activeRuns.start(p),
    'runs.list': async (p) => store.listRuns(p),
    'runs.get': async ({ runId }) => store.getRun(runId) ?? runNotFound(runId),
    'runs.readValue': async ({ runId, field, offset, length }) => {
      const page = store.readValue(runId, field, offset, length);
      if (!page) throw new RlmError('NOT_FOUND', `run ${runId} has no ${field}`);
      return page;
    },
    'runs.stop': ({ runId }) => activeRuns.stop(runId),
    'runs.pause': async ({ runId }) => activeRuns.pause(runId),
    'runs.resume': async ({ runId }) => activeRuns.resume(runId),
    'runs.step': async ({ runId }) => activeRuns.step(runId),
    'runs.stopRlm': ({ runId, nodeId }) => activeRuns.stopRlm(runId, nodeId),
    'runs.noteRlm': async ({ runId, nodeId, text }) => activeRuns.noteRlm(runId, nodeId, text),
    'runs.delete': async ({ runId }) => {
      if (activeRuns.has(runId)) throw new RlmError('RUN_ACTIVE', `run ${runId} is running: stop the run before deleting it`);
      deleteRun(runId, ownerCheck({ now: Date.now(), staleMs: STALE_OWNER_MS }));
      bus.emit({ type: 'app.runsChanged', runId: null });
      return { deleted: true };
    },
  };
}
