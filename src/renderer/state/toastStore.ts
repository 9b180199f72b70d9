// Notices that belong to no field: a failed shortcut, a run started with warnings, a lost
// connection's failed call. They fade on their own (errors stay longer) and can be dismissed.
import { create } from 'zustand';

export interface Toast {
  id: number;
  kind: 'info' | 'error';
  message: string;
}

interface ToastState {
  toasts: Toast[];
}

const SHOWN_MS = { info: 6000, error: 12_000 } as const;
const MAX_SHOWN = 4;
let nextId = 1;

export const useToasts = create<ToastState>(() => ({ toasts: [] }));

export function dismissToast(id: number): void {
  useToasts.setState((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
}

export function showToast(kind: Toast['kind'], message: string): void {
  const id = nextId++;
  useToasts.setState((s) => ({ toasts: [...s.toasts, { id, kind, message }].slice(-MAX_SHOWN) }));
  setTimeout(() => dismissToast(id), SHOWN_MS[kind]);
}
