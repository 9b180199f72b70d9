// A modal question built on <dialog>.showModal(): the browser makes the rest of the page inert
// (focus stays inside), puts focus on the first button (Cancel, the safe one), turns Escape into
// cancel, and gives focus back to what had it when the dialog closes.
import { useEffect, useId, useRef, type ReactNode } from 'react';

interface ConfirmDialogProps {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  busy?: boolean;
  error?: string | null;
  onConfirm(): void;
  onCancel(): void;
}

export function ConfirmDialog({ open, title, children, confirmLabel, busy, error, onConfirm, onCancel }: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    else if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-body`}
      // Escape: the browser closes the dialog itself; the owner only learns it was cancelled.
      onCancel={onCancel}
    >
      {open && (
        <>
          <h2 id={`${id}-title`} className="dialog-title">
            {title}
          </h2>
          <div id={`${id}-body`} className="dialog-body">
            {children}
          </div>
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <div className="dialog-actions">
            <button type="button" onClick={onCancel}>
              Cancel
            </button>
            <button type="button" className="danger" onClick={onConfirm} disabled={busy} aria-busy={busy || undefined}>
              {busy ? `${confirmLabel}…` : confirmLabel}
            </button>
          </div>
        </>
      )}
    </dialog>
  );
}
