// Two runs compared (issue 12): the runs, the first divergence, the deltas, and the aligned steps
// beside the two values of the chosen one. Opened from the runs list's "Compare"; the service
// aligns and compares (runs.compare), the page only draws.
import { useEffect, useMemo, useState } from 'react';
import type { RlmApi } from '../../shared/api';
import type { MethodResult } from '../../shared/api';
import type { RunSummary } from '../../shared/domain/run';
import { errorText } from '../api/errors';
import { routeHash } from '../state/navStore';
import { ComparisonList } from './ComparisonList';
import { deltaTexts, FIELD_LABELS, stepPath } from './compareText';
import { StepDetail } from './StepDetail';
import { bidiSafe } from '../run/text/BidiSafe';
import './compare.css';

type Compared = MethodResult<'runs.compare'>;

export function CompareView({ api, a, b }: { api: RlmApi; a: string; b: string }) {
  const [result, setResult] = useState<Compared | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState(0);
  const [first, setFirst] = useState<number | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    api.call('runs.compare', { a, b }, { signal: controller.signal }).then(
      (value) => {
        const divergence = value.comparison.firstDivergence;
        const at = divergence ? value.comparison.pairs.findIndex((p) => p.a === divergence.a && p.b === divergence.b) : -1;
        setResult(value);
        setFirst(at >= 0 ? at : null);
        setSelected(Math.max(0, at));
      },
      (reason: unknown) => {
        if (!controller.signal.aborted) setError(`The runs could not be compared: ${errorText(reason)}`);
      },
    );
    return () => controller.abort();
  }, [api, a, b]);

  const comparison = result?.comparison;
  const divergence = comparison?.firstDivergence ?? null;
  const pairs = useMemo(() => comparison?.pairs ?? [], [comparison]);
  // Counted once per comparison, not on every move of the selection (100,000 pairs).
  const { same, onlyA, onlyB } = useMemo(() => {
    const counts = { same: 0, onlyA: 0, onlyB: 0 };
    for (const p of pairs) {
      if (p.same) counts.same++;
      else if (p.b === null) counts.onlyA++;
      else if (p.a === null) counts.onlyB++;
    }
    return counts;
  }, [pairs]);
  const firstStep = first !== null ? result?.steps[first] : undefined;

  return (
    <div className="screen compare-screen">
      <header className="screen-header">
        <h1>Compare runs</h1>
      </header>
      {error && (
        <div className="banner banner-error" role="alert">
          {error}
        </div>
      )}
      {!result && !error && (
        <p className="screen-message" role="status">
          <span className="spinner" aria-hidden="true" /> Comparing runs…
        </p>
      )}
      {result && comparison && (
        <section className="compare" aria-label="Run comparison">
          <div className="compare-runs">
            <RunCard side="A" run={result.runs.a} />
            <RunCard side="B" run={result.runs.b} />
          </div>
          <p className={`compare-verdict ${divergence ? 'is-different' : 'is-same'}`} role="status">
            {divergence && firstStep && first !== null
              ? `First divergence: ${stepPath(result.steps, first)} — ${FIELD_LABELS[divergence.field]}${divergence.field === 'node' ? '' : ' differs'}`
              : 'The runs are the same, step for step'}
            <span className="muted">
              {' '}
              · {same.toLocaleString('en-US')} same, {(pairs.length - same - onlyA - onlyB).toLocaleString('en-US')} different, {onlyA.toLocaleString('en-US')} only in A,{' '}
              {onlyB.toLocaleString('en-US')} only in B
            </span>
          </p>
          <dl className="compare-deltas" aria-label="Change from A to B">
            {deltaTexts(comparison.delta).map((d) => (
              <div key={d.label} className={`compare-delta is-${d.direction}`}>
                <dt>{d.label}</dt>
                <dd>{d.text}</dd>
              </div>
            ))}
          </dl>
          <div className="compare-body">
            <ComparisonList pairs={pairs} steps={result.steps} first={first} selected={selected} onSelect={setSelected} />
            {pairs[selected] && result.steps[selected] && (
              <StepDetail key={selected} api={api} runs={{ a, b }} pair={pairs[selected]} step={result.steps[selected]} isFirst={selected === first} field={selected === first ? (divergence?.field ?? null) : null} />
            )}
          </div>
        </section>
      )}
    </div>
  );
}

function RunCard({ side, run }: { side: 'A' | 'B'; run: RunSummary }) {
  return (
    <div className="compare-run">
      <span className="compare-side" aria-hidden="true">
        {side}
      </span>
      <div className="compare-run-text">
        <a href={routeHash({ view: 'run', runId: run.runId })} className="compare-run-query">
          <span className="visually-hidden">Run {side}: </span>
          {bidiSafe(run.query.split('\n')[0] ?? '') || '(no query)'}
        </a>
        <span className="muted compare-run-id">
          {run.runId}
          {run.origin === 'imported' ? ' · imported' : ''} · {run.rootModel}
        </span>
      </div>
    </div>
  );
}
