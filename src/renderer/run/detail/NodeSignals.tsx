// The run-away signals flagged on the selected node (issue 13): what each saw and what it has cost
// so far, above the node's own detail. Nothing when it has none.
import { AlertIcon } from '../../common/icons';
import type { RunRepository } from '../runStore';
import { shownMessage, SIGNAL_LABEL, signalCost } from '../signals';
import { bidiSafe } from '../text/BidiSafe';
import { useRunState } from '../useRunState';

export function NodeSignals({ store, nodeId }: { store: RunRepository; nodeId: number }) {
  const signals = useRunState(store, (s) => s.signals.byNode.get(nodeId));
  if (!signals || signals.length === 0) return null;
  return (
    <div className="node-signals" role="note" aria-label={signals.length === 1 ? 'Run-away signal' : 'Run-away signals'}>
      {signals.map((signal, i) => {
        const cost = signalCost(signal);
        return (
          <p key={`${signal.kind}:${i}`} className="node-signal">
            <span className="node-signal-head">
              <AlertIcon size={14} />
              <strong>{SIGNAL_LABEL[signal.kind]}</strong>
              {cost !== null && <span className="node-signal-cost">{cost} so far</span>}
            </span>
            <span className="node-signal-message">{bidiSafe(shownMessage(signal))}</span>
          </p>
        );
      })}
    </div>
  );
}
