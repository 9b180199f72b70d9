// Two panes side by side with a separator the reader drags (or moves with the arrow keys).
import { useRef, useState, type KeyboardEvent, type PointerEvent, type ReactNode } from 'react';

const MIN = 25;
const MAX = 75;

function clamp(percent: number): number {
  return Math.min(MAX, Math.max(MIN, Math.round(percent)));
}

export function SplitPane({ left, right, label }: { left: ReactNode; right: ReactNode; label: string }) {
  const [percent, setPercent] = useState(55);
  const box = useRef<HTMLDivElement>(null);
  const drag = (e: PointerEvent<HTMLDivElement>) => {
    const rect = box.current?.getBoundingClientRect();
    if (!rect || !e.currentTarget.hasPointerCapture(e.pointerId)) return;
    setPercent(clamp(((e.clientX - rect.left) / rect.width) * 100));
  };
  const keys = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = e.key === 'ArrowLeft' ? -5 : e.key === 'ArrowRight' ? 5 : 0;
    if (step === 0) return;
    e.preventDefault();
    setPercent((p) => clamp(p + step));
  };
  return (
    <div className="split" ref={box} style={{ gridTemplateColumns: `minmax(0, ${percent}fr) auto minmax(0, ${100 - percent}fr)` }}>
      <div className="split-pane">{left}</div>
      <div
        className="split-handle"
        role="separator"
        aria-orientation="vertical"
        aria-label={label}
        aria-valuemin={MIN}
        aria-valuemax={MAX}
        aria-valuenow={percent}
        tabIndex={0}
        onKeyDown={keys}
        onPointerDown={(e) => e.currentTarget.setPointerCapture(e.pointerId)}
        onPointerMove={drag}
      />
      <div className="split-pane">{right}</div>
    </div>
  );
}
