// One run in the list: a box to tick it for "Compare", a link to it (click or Enter opens it; its
// name includes the query) and its delete button beside it, never inside it.
import { memo, useId } from 'react';
import { namedBidiControls } from '../../shared/bidiControls';
import type { ForkOrigin, RunSummary } from '../../shared/domain/run';
import { ACTIVE_RUN_STATUSES } from '../../shared/domain/run';
import type { RunSignal } from '../../shared/domain/signals';
import { AlertIcon, TrashIcon } from '../common/icons';
import { shownSignals, signalCount, signalLines } from '../run/signals';
import { bidiSafe } from '../run/text/BidiSafe';
import { routeHash } from '../state/navStore';
import { callsLabel, costLabel, dateLabel, depthLabel, durationLabel, modelsLabel, oneLine, statusLabel, tokensLabel, type CellText } from './runRowText';
import { StatusBadge } from './StatusBadge';

// A query may be 200,000 characters; the row shows one line of it.
const SHOWN_QUERY_CHARS = 300;
const NAMED_QUERY_CHARS = 120;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

interface RunRowProps {
  run: RunSummary;
  /** 0 at the top level; more for a fork shown under its parent (forkOrder.ts). */
  level: number;
  now: number;
  selected: boolean;
  onSelect(runId: string): void;
  onDelete(run: RunSummary): void;
}

/** Forks of forks indent no further than this: the query needs the room. */
const MAX_FORK_INDENT = 4;

export const RunRow = memo(function RunRow({ run, level, now, selected, onSelect, onDelete }: RunRowProps) {
  const query = oneLine(run.query);
  const cost = costLabel(run);
  const status = statusLabel(run);
  const signals = shownSignals(run.signals, ACTIVE_RUN_STATUSES.includes(run.status));
  const signalsId = useId();
  return (
    <>
      <input
        type="checkbox"
        className="runs-select"
        aria-label={`Select run ${clip(query, NAMED_QUERY_CHARS) || run.runId} to compare`}
        title="Select to compare (two runs)"
        checked={selected}
        onChange={() => onSelect(run.runId)}
      />
      <a className="runs-link" href={routeHash({ view: 'run', runId: run.runId })} aria-describedby={signals.length > 0 ? signalsId : undefined}>
        <span className="runs-cell runs-status" title={status.full}>
          <StatusBadge status={status.status} reason={status.reason} />
          <span className="visually-hidden">{status.full}</span>
        </span>
        <span className="runs-cell runs-query" title={namedBidiControls(clip(query, 1000))} style={level > 0 ? { paddingLeft: `${Math.min(level, MAX_FORK_INDENT) * 1.1}rem` } : undefined}>
          {signals.length > 0 && <SignalsTag signals={signals} />}
          {run.forkedFrom && <ForkTag origin={run.forkedFrom} nested={level > 0} />}
          {run.origin === 'imported' && <ImportedTag source={run.source ?? null} />}
          {bidiSafe(clip(query, SHOWN_QUERY_CHARS)) || '(no query)'}
        </span>
        <span className="runs-cell runs-models">{modelsLabel(run)}</span>
        <Figure className="runs-calls" cell={callsLabel(run)} />
        <Figure className="runs-tokens" cell={tokensLabel(run)} />
        <Figure className="runs-depth" cell={depthLabel(run)} />
        <Figure className={run.costUsd === null ? 'runs-cost runs-cost-partial' : 'runs-cost'} cell={cost} />
        <span className="runs-cell runs-duration num">{durationLabel(run)}</span>
        <span className="runs-cell runs-date">
          <time dateTime={new Date(run.createdAt).toISOString()}>{dateLabel(run.createdAt, now)}</time>
        </span>
      </a>
      <button type="button" className="icon-button runs-delete" aria-label={`Delete run ${clip(query, NAMED_QUERY_CHARS)}`} title="Delete run" onClick={() => onDelete(run)}>
        <TrashIcon />
      </button>
      {signals.length > 0 && (
        // The messages, read as the link's description: the link's name says only how many.
        <span id={signalsId} className="visually-hidden">
          {signalLines(signals)}
        </span>
      )}
    </>
  );
});

/** A number in its column: the short text shown, the whole of it in the tooltip and read aloud. */
function Figure({ className, cell }: { className: string; cell: CellText }) {
  return (
    <span className={`runs-cell num ${className}`} title={cell.full}>
      <span aria-hidden="true">{cell.text}</span>
      <span className="visually-hidden">{cell.full}</span>
    </span>
  );
}

/** Marks a fork; under its parent it also shows the branch, and names its parent when it is elsewhere. */
function ForkTag({ origin, nested }: { origin: ForkOrigin; nested: boolean }) {
  const full = origin.nodeId === null ? `Fork of ${origin.runId} (other settings)` : `Fork of ${origin.runId} at node ${origin.nodeId}`;
  return (
    <span className="runs-fork" title={full}>
      <span aria-hidden="true">{nested ? '↳ fork' : 'fork'}</span>
      <span className="visually-hidden">{full}: </span>
    </span>
  );
}

/** Marks a run read from a file (never executed here); the file's name is in its tooltip. */
function ImportedTag({ source }: { source: string | null }) {
  const full = source ? `Imported from ${namedBidiControls(source)}` : 'Imported';
  return (
    <span className="runs-imported" title={full}>
      <span aria-hidden="true">imported</span>
      <span className="visually-hidden">{full}: </span>
    </span>
  );
}

/** Marks a run with run-away signals: how many, and each one's kind and message in the tooltip. */
function SignalsTag({ signals }: { signals: readonly RunSignal[] }) {
  return (
    <span className="runs-signals" title={signalLines(signals)}>
      <AlertIcon size={13} />
      <span aria-hidden="true">{signals.length.toLocaleString('en-US')}</span>
      <span className="visually-hidden">{signalCount(signals.length)}: </span>
    </span>
  );
}
