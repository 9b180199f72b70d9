// The runs as a virtualised list (only the rows in view are in the page, so thousands of runs
// scroll as lightly as ten), loading the next page when the end comes into view. Up and Down
// move between runs.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, type KeyboardEvent } from 'react';
import type { RunSummary } from '../../shared/domain/run';
import { nestForks } from './forkOrder';
import { RunRow } from './RunRow';

interface RunsListProps {
  runs: RunSummary[];
  hasMore: boolean;
  onLoadMore(): void;
  onDelete(run: RunSummary): void;
  selected: readonly string[];
  onSelect(runId: string): void;
}

export function RunsList({ runs: loaded, hasMore, onLoadMore, onDelete, selected, onSelect }: RunsListProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  // Forks under their parents; the rows (and Up/Down) follow this order.
  const runs = useMemo(() => nestForks(loaded), [loaded]);
  const virtualizer = useVirtualizer({
    count: runs.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 44,
    overscan: 12,
    getItemKey: (index) => runs[index]?.run.runId ?? index,
  });
  const items = virtualizer.getVirtualItems();
  const lastShown = items.at(-1)?.index ?? -1;
  useEffect(() => {
    if (hasMore && lastShown >= runs.length - 1) onLoadMore();
  }, [hasMore, lastShown, runs.length, onLoadMore]);
  const now = Date.now();

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const row = (event.target as HTMLElement).closest<HTMLElement>('[data-index]');
    if (!row) return;
    const next = Number(row.dataset.index) + (event.key === 'ArrowDown' ? 1 : -1);
    if (next < 0 || next >= runs.length) return;
    event.preventDefault();
    virtualizer.scrollToIndex(next, { align: 'auto' });
    requestAnimationFrame(() => scrollRef.current?.querySelector<HTMLElement>(`[data-index="${next}"] .runs-link`)?.focus());
  };

  return (
    <div className="runs-scroll" ref={scrollRef} onKeyDown={onKeyDown}>
      <ul className="runs-list" role="list" aria-label="Runs" style={{ height: virtualizer.getTotalSize() }}>
        {items.map((item) => {
          const listed = runs[item.index];
          if (!listed) return null;
          const { run, level } = listed;
          return (
            <li
              key={item.key}
              className={level > 0 ? 'runs-row runs-row-fork' : 'runs-row'}
              data-index={item.index}
              ref={virtualizer.measureElement}
              aria-setsize={hasMore ? -1 : runs.length}
              aria-posinset={item.index + 1}
              style={{ transform: `translateY(${item.start}px)` }}
            >
              <RunRow run={run} level={level} now={now} selected={selected.includes(run.runId)} onSelect={onSelect} onDelete={onDelete} />
            </li>
          );
        })}
      </ul>
    </div>
  );
}
