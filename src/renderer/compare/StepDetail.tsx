// One aligned step's values side by side: the reply, code, output or error of each run, the
// values that differ marked, and in them the lines that differ.
import { useEffect, useState } from 'react';
import type { RlmApi } from '../../shared/api';
import type { ComparisonStep } from '../../shared/api/debugger';
import type { ComparedField, NodePair } from '../../shared/domain/comparison';
import type { NodePayload } from '../../shared/domain/node';
import { errorText } from '../api/errors';
import { differingLines, FIELD_LABELS, shownFields, stepName } from './compareText';
import { bidiSafe } from '../run/text/BidiSafe';

interface StepDetailProps {
  api: RlmApi;
  runs: { a: string; b: string };
  pair: NodePair;
  step: ComparisonStep;
  isFirst: boolean;
  /** The field named as the first divergence, when this step is it. */
  field: ComparedField | null;
}

type Side = 'a' | 'b';

/** Lines drawn per value: an output of a million lines would stall the page. */
const MAX_LINES = 2_000;
type Loaded = { payload: NodePayload | null; error: string | null };

export function StepDetail({ api, runs, pair, step, isFirst, field }: StepDetailProps) {
  const [loaded, setLoaded] = useState<Record<Side, Loaded | null>>({ a: null, b: null });

  useEffect(() => {
    const controller = new AbortController();
    for (const side of ['a', 'b'] as const) {
      const nodeId = pair[side];
      if (nodeId === null) {
        setLoaded((s) => ({ ...s, [side]: { payload: null, error: null } }));
        continue;
      }
      api.call('nodes.get', { runId: runs[side], nodeId }, { signal: controller.signal }).then(
        (payload) => setLoaded((s) => ({ ...s, [side]: { payload, error: null } })),
        (reason: unknown) => !controller.signal.aborted && setLoaded((s) => ({ ...s, [side]: { payload: null, error: errorText(reason) } })),
      );
    }
    return () => controller.abort();
  }, [api, runs.a, runs.b, pair]);

  const value = (side: Side, f: keyof NodePayload): string | undefined => {
    const v = loaded[side]?.payload?.[f];
    return typeof v === 'string' ? v : undefined;
  };
  const fields = shownFields(step).filter((f) => value('a', f) !== undefined || value('b', f) !== undefined);
  const ready = loaded.a !== null && loaded.b !== null;

  return (
    <section className="compare-detail" aria-label="Step comparison">
      <h2>
        {stepName(step)}
        {isFirst && field && <span className="compare-first-tag">First divergence: {FIELD_LABELS[field]}</span>}
      </h2>
      {pair.a === null || pair.b === null ? <p className="muted">This step is only in run {pair.a === null ? 'B' : 'A'}.</p> : null}
      {(['a', 'b'] as const).map((side) => loaded[side]?.error && <p key={side} role="alert" className="banner banner-error">Run {side.toUpperCase()}: {loaded[side]?.error}</p>)}
      {!ready && <p className="muted" role="status">Loading…</p>}
      {ready &&
        fields.map((f) => {
          const [x, y] = [value('a', f), value('b', f)];
          const differs = pair.a !== null && pair.b !== null && x !== y;
          return (
            <div key={f} className={`compare-field${differs ? ' is-different' : ''}${isFirst && f === field ? ' is-first' : ''}`}>
              <h3>
                {FIELD_LABELS[f]}
                {differs && <span className="compare-differs">differs</span>}
              </h3>
              <div className="compare-values">
                <Value label={`A ${FIELD_LABELS[f]}`} text={x} other={differs ? y : x} />
                <Value label={`B ${FIELD_LABELS[f]}`} text={y} other={differs ? x : y} />
              </div>
            </div>
          );
        })}
    </section>
  );
}

function Value({ label, text, other }: { label: string; text: string | undefined; other: string | undefined }) {
  if (text === undefined) {
    return (
      <div className="compare-value is-missing" role="group" aria-label={label}>
        <span className="muted">—</span>
      </div>
    );
  }
  const changed = differingLines(text, other);
  const lines = text.split('\n');
  return (
    <pre className="compare-value" role="group" aria-label={label}>
      {lines.slice(0, MAX_LINES).map((line, i) => (
        <span key={i} className={changed.has(i) && text !== other ? 'compare-line is-changed' : 'compare-line'}>
          {bidiSafe(line)}
          {'\n'}
        </span>
      ))}
      {lines.length > MAX_LINES && <span className="muted">… {(lines.length - MAX_LINES).toLocaleString('en-US')} more lines</span>}
    </pre>
  );
}
