// "⚠ N signals" in the run header (issue 13): hidden while the run has none; opens the list of
// the run-away signals that hold now, each its kind, message and cost so far. One that belongs on
// a node selects it in the tree. A non-modal popup: the button's Enter, Space or ArrowDown opens it
// on its first item; arrows, Home and End move; Escape closes it back onto the button; Tab out of
// it or a press elsewhere closes it.
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { RunSignal } from '../../shared/domain/signals';
import { AlertIcon } from '../common/icons';
import { moveFocusByKey } from '../common/listFocus';
import { useNav } from '../state/navStore';
import { isActive } from './runModel';
import type { RunRepository } from './runStore';
import { shownMessage, shownSignals, SIGNAL_LABEL, signalCost, signalCount } from './signals';
import { bidiSafe } from './text/BidiSafe';
import { useRunState } from './useRunState';

export function RunSignals({ store }: { store: RunRepository }) {
  const index = useRunState(store, (s) => s.signals);
  const active = useRunState(store, (s) => s.run !== null && isActive(s.run.status));
  const signals = useMemo(() => shownSignals(index.all, active), [index, active]);
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const popup = useRef<HTMLDivElement>(null);
  const popupId = useId();
  const titleId = useId();
  const none = signals.length === 0;

  // The last signal withdrawn while the list is open: nothing left to show, and nothing to reopen later.
  useEffect(() => {
    if (none) setOpen(false);
  }, [none]);

  useEffect(() => {
    if (!open) return;
    const first = items(popup.current)[0];
    (first ?? popup.current)?.focus();
    const onPointerDown = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!popup.current?.contains(target) && !button.current?.contains(target)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open]);

  if (none) return null;

  const pick = (nodeId: number) => {
    setOpen(false);
    // A node of a large run may not be in the page yet (its index comes in pages): the route
    // selects it once it arrives (useSelectNode).
    if (store.state.getState().model?.tree.nodes.has(nodeId)) store.select(nodeId);
    else useNav.getState().go({ view: 'run', runId: store.runId, node: nodeId });
    // The keyboard goes on from the node it chose: the tree's active row is the selected one.
    button.current?.closest('.run-view')?.querySelector<HTMLElement>('[role="tree"]')?.focus();
  };

  const onButtonKey = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setOpen(true);
    }
  };

  const onPopupKey = (event: KeyboardEvent) => {
    if (moveFocusByKey(event, items(popup.current))) return;
    switch (event.key) {
      case 'Escape':
        event.preventDefault();
        // The popup's Escape: the tree and the page behind it should not act on it too.
        event.stopPropagation();
        setOpen(false);
        button.current?.focus();
        return;
    }
  };

  return (
    <span className="run-signals">
      <button
        ref={button}
        type="button"
        className="run-signals-button"
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={open ? popupId : undefined}
        title="Run-away signals: wasteful patterns seen in this run, and what they cost"
        onClick={() => setOpen(!open)}
        onKeyDown={onButtonKey}
      >
        <AlertIcon size={14} />
        {signalCount(signals.length)}
      </button>
      {open && (
        <div
          ref={popup}
          id={popupId}
          className="run-signals-popup"
          role="dialog"
          aria-labelledby={titleId}
          tabIndex={-1}
          onKeyDown={onPopupKey}
          onBlur={(event) => {
            // Tab out of the list closes it; a move inside it (or back to its button) does not.
            const next = event.relatedTarget as Node | null;
            if (next !== null && !popup.current?.contains(next) && !button.current?.contains(next)) setOpen(false);
          }}
        >
          <h2 id={titleId} className="run-signals-title">
            Run-away signals
          </h2>
          <ul className="run-signals-list">
            {keyed(signals.slice(0, LISTED_MAX)).map(({ key, signal }) => (
              <li key={key}>
                {signal.nodeId === null ? (
                  <div className="run-signal-item">
                    <SignalText signal={signal} where="the whole run" />
                  </div>
                ) : (
                  <button type="button" className="run-signal-item run-signal-pick" onClick={() => pick(signal.nodeId as number)}>
                    <SignalText signal={signal} where={`node #${signal.nodeId}`} />
                  </button>
                )}
              </li>
            ))}
          </ul>
          {signals.length > LISTED_MAX && <p className="run-signals-more">…and {(signals.length - LISTED_MAX).toLocaleString('en-US')} more, flagged on their rows</p>}
        </div>
      )}
    </span>
  );
}

/** The list shows the first this many: each is a few lines, and the set stays small unless a run misbehaves badly. */
const LISTED_MAX = 100;

function SignalText({ signal, where }: { signal: RunSignal; where: string }) {
  const cost = signalCost(signal);
  return (
    <>
      <span className="run-signal-head">
        <span className="run-signal-kind">{SIGNAL_LABEL[signal.kind]}</span>
        <span className="run-signal-where">{where}</span>
        {cost !== null && (
          <span className="run-signal-cost" title="spent on this pattern so far">
            <span className="run-sr-only">, so far </span>
            {cost}
          </span>
        )}
      </span>
      <span className="run-signal-message">{bidiSafe(shownMessage(signal))}</span>
    </>
  );
}

function items(popup: HTMLElement | null): HTMLButtonElement[] {
  return Array.from(popup?.querySelectorAll<HTMLButtonElement>('.run-signal-pick') ?? []);
}

/**
 * Keys that stay with a signal while the set is replaced (the focused item keeps its focus): one
 * signal per kind and node, and a rare second one of both numbered.
 */
function keyed(signals: readonly RunSignal[]): { key: string; signal: RunSignal }[] {
  const seen = new Map<string, number>();
  return signals.map((signal) => {
    const base = `${signal.kind}:${signal.nodeId ?? 'run'}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return { key: n === 0 ? base : `${base}:${n}`, signal };
  });
}
