// "Export run": a menu button offering the formats of `rlmscope export` (exportRun.ts does the
// rest). The WAI-ARIA menu button pattern: Enter, Space or ArrowDown opens it on its first item,
// ArrowUp on its last; arrows, Home and End move; Escape closes it back onto the button; Tab or a
// click elsewhere closes it.
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { ExportFormat } from '../../shared/api/interop';
import { DownloadIcon } from '../common/icons';
import { moveFocusByKey } from '../common/listFocus';
import { showToast } from '../state/toastStore';
import { EXPORT_CHOICES, exportRun, followDownload, PARTIAL_NOTE } from './exportRun';
import { isActive } from './runModel';
import type { RunRepository } from './runStore';
import { useRunState } from './useRunState';

export function ExportRunMenu({ store }: { store: RunRepository }) {
  const status = useRunState(store, (s) => s.run?.status ?? null);
  const [open, setOpen] = useState<'first' | 'last' | null>(null);
  const [busy, setBusy] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const popup = useRef<HTMLDivElement>(null);
  const menuId = useId();
  const noteId = useId();

  const items = () => Array.from(popup.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? []);
  const close = (focusButton: boolean) => {
    setOpen(null);
    if (focusButton) button.current?.focus();
  };

  useEffect(() => {
    if (open === null) return;
    const list = items();
    (open === 'first' ? list[0] : list.at(-1))?.focus();
    // A press anywhere outside the menu and its button closes it.
    const onPointerDown = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!popup.current?.contains(target) && !button.current?.contains(target)) setOpen(null);
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open]);

  const choose = async (format: ExportFormat) => {
    close(true);
    setBusy(true);
    try {
      await exportRun(store.api, store.runId, format, { follow: followDownload, toast: showToast });
    } finally {
      setBusy(false);
    }
  };

  const onButtonKey = (event: KeyboardEvent) => {
    if (!busy && (event.key === 'ArrowDown' || event.key === 'ArrowUp')) {
      event.preventDefault();
      setOpen(event.key === 'ArrowDown' ? 'first' : 'last');
    }
  };

  const onMenuKey = (event: KeyboardEvent) => {
    if (moveFocusByKey(event, items())) return;
    switch (event.key) {
      case 'Escape':
        event.preventDefault();
        // The menu's Escape: nothing behind it (the tree, the page) should act on it too.
        event.stopPropagation();
        return close(true);
      case 'Tab':
        return close(false);
    }
  };

  if (status === null) return null;
  const partial = isActive(status);
  return (
    <div className="run-export">
      <button
        ref={button}
        type="button"
        className="run-control run-export-button"
        aria-haspopup="menu"
        aria-expanded={open !== null}
        aria-controls={open !== null ? menuId : undefined}
        // Not `disabled` while an export is asked for: the button keeps the focus it just got back.
        aria-disabled={busy}
        onClick={() => !busy && setOpen(open === null ? 'first' : null)}
        onKeyDown={onButtonKey}
      >
        <DownloadIcon /> Export run
      </button>
      {open !== null && (
        <div ref={popup} className="run-export-popup" onKeyDown={onMenuKey}>
          <div id={menuId} role="menu" aria-label="Export run as" aria-describedby={partial ? noteId : undefined}>
            {EXPORT_CHOICES.map((choice) => (
              <button key={choice.format} type="button" role="menuitem" tabIndex={-1} className="run-export-item" onClick={() => void choose(choice.format)}>
                <span className="run-export-label">{choice.label}</span>
                <span className="run-export-hint">{choice.hint}</span>
              </button>
            ))}
          </div>
          {partial && (
            <p id={noteId} className="run-export-note">
              {PARTIAL_NOTE}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
