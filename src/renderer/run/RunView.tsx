// The run view: header with controls, live meter, the recursion tree and the selected node's
// detail. Wiring only; the state is the run store, the logic lives in plain modules.
import { useEffect, useState } from 'react';
import type { RlmApi } from '../../shared/api';
import { createCodeEditorHost } from './codeEditor';
import { LimitBanner } from './LimitBanner';
import { NodeDetail } from './detail/NodeDetail';
import { RecursionTree } from './tree/RecursionTree';
import { RunHeader } from './RunHeader';
import { RunMeter } from './RunMeter';
import { setOpenRun } from '../state/openRunStore';
import { RunMissing } from './RunMissing';
import { createRunStore } from './runStore';
import { SplitPane } from './SplitPane';
import { StepScrubber } from './StepScrubber';
import { useRunState } from './useRunState';
import { useSelectNode } from './useSelectNode';
import './run.css';

/** `node`: the node to select once it is read (a link to a fork's branch point: `#/runs/<id>?node=<n>`). */
export function RunView({ api, runId, node = null }: { api: RlmApi; runId: string; node?: number | null }) {
  // A new store (and subscription) per run, and per attempt to open it: nothing of one run can
  // show in the next.
  const [attempt, setAttempt] = useState(0);
  return <RunScreen key={`${runId}\n${attempt}`} api={api} runId={runId} node={node} retry={() => setAttempt((n) => n + 1)} />;
}

function RunScreen({ api, runId, node, retry }: { api: RlmApi; runId: string; node: number | null; retry: () => void }) {
  const [store] = useState(() => createRunStore(api, runId));
  const [editor] = useState(() => createCodeEditorHost());
  useEffect(() => store.start(), [store]);
  useEffect(() => () => editor.dispose(), [editor]);
  const phase = useRunState(store, (s) => s.phase);
  const loadError = useRunState(store, (s) => s.loadError);
  const origin = useRunState(store, (s) => s.run?.origin ?? null);
  useSelectNode(store, node);
  // App-wide commands (the Stop shortcut) act on this run as what it is.
  useEffect(() => (origin === null ? undefined : setOpenRun(runId, origin === 'imported')), [runId, origin]);

  if (phase === 'missing') return <RunMissing runId={runId} />;
  if (phase === 'failed') {
    return (
      <div className="run-view">
        <p className="run-load-error" role="alert">
          Could not open run {runId}: {loadError}{' '}
          <button type="button" className="run-link-button" onClick={retry}>
            Try again
          </button>
        </p>
      </div>
    );
  }
  return (
    <div className="run-view" aria-busy={phase === 'loading'}>
      <RunHeader store={store} />
      <RunMeter store={store} />
      <StepScrubber store={store} />
      <LimitBanner store={store} />
      <SplitPane label="Resize the tree and the detail" left={<RecursionTree store={store} />} right={<NodeDetail store={store} editor={editor} />} />
    </div>
  );
}
