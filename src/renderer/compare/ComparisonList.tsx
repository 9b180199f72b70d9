// The aligned steps of two runs, side by side, as a virtualised list (a 100,000-node run scrolls
// as lightly as ten steps): each row a button choosing the step, marked same, different or
// present in one run only; the first divergence marked and scrolled to. Up and Down move.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type KeyboardEvent } from 'react';
import type { ComparisonStep } from '../../shared/api/debugger';
import type { NodePair } from '../../shared/domain/comparison';
import { stepName } from './compareText';
import { bidiSafe } from '../run/text/BidiSafe';

interface ComparisonListProps {
  pairs: NodePair[];
  steps: ComparisonStep[];
  first: number | null;
  selected: number;
  onSelect(index: number): void;
}

/** Indentation stops growing here: a chain of 100,000 nested RLMs stays readable. */
const MAX_INDENT_LEVEL = 12;

export function ComparisonList({ pairs, steps, first, selected, onSelect }: ComparisonListProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: pairs.length, getScrollElement: () => scrollRef.current, estimateSize: () => 30, overscan: 20 });

  useEffect(() => {
    if (first !== null) virtualizer.scrollToIndex(first, { align: 'center' });
    // Once, when the comparison arrives (not on every render: the virtualizer is a new object
    // each time): the user's scrolling is theirs after that.
  }, [first]);

  const move = (index: number) => {
    if (index < 0 || index >= pairs.length) return;
    onSelect(index);
    virtualizer.scrollToIndex(index, { align: 'auto' });
    requestAnimationFrame(() => scrollRef.current?.querySelector<HTMLElement>(`[data-index="${index}"] button`)?.focus());
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const delta = { ArrowDown: 1, ArrowUp: -1 }[event.key];
    if (delta === undefined) return;
    event.preventDefault();
    move(selected + delta);
  };

  return (
    <div className="compare-list" ref={scrollRef} onKeyDown={onKeyDown}>
      <div className="compare-list-head" aria-hidden="true">
        <span>A</span>
        <span>B</span>
      </div>
      <ul aria-label="Aligned steps" style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((item) => {
          const pair = pairs[item.index] as NodePair;
          const step = steps[item.index] as ComparisonStep;
          const state = pair.a === null ? 'only-b' : pair.b === null ? 'only-a' : pair.same ? 'same' : 'different';
          const isFirst = item.index === first;
          const words = { same: 'same', different: 'differs', 'only-a': 'only in A', 'only-b': 'only in B' }[state];
          const indent = { paddingLeft: `${0.5 + Math.min(step.level, MAX_INDENT_LEVEL) * 0.9}rem` };
          const side = (label: string | null) => (
            <span className="compare-cell" style={indent}>
              {label === null ? (
                <span className="muted">—</span>
              ) : (
                <>
                  <span className="compare-kind">{stepName(step)}</span> <span className="compare-label">{bidiSafe(label)}</span>
                </>
              )}
            </span>
          );
          return (
            <li key={item.key} data-index={item.index} className={`compare-row is-${state}${isFirst ? ' is-first' : ''}`} style={{ transform: `translateY(${item.start}px)` }}>
              <button type="button" aria-current={item.index === selected ? 'true' : undefined} onClick={() => onSelect(item.index)}>
                {side(pair.a === null ? null : (step.labels.a ?? ''))}
                {side(pair.b === null ? null : (step.labels.b ?? ''))}
                <span className="visually-hidden">
                  : {words}
                  {isFirst ? ', first divergence' : ''}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
