// Toasts: a tiny global store, so non-React code (the media layer) can report errors too.
import { useSyncExternalStore } from 'react';

export interface Toast {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();

function emit(): void {
  for (const l of listeners) l();
}

export function showToast(text: string, kind: Toast['kind'] = 'error', ms = 5000): void {
  // Don't stack the same message.
  if (toasts.some((t) => t.text === text)) return;
  const t: Toast = { id: nextId++, kind, text };
  toasts = [...toasts.slice(-3), t];
  emit();
  setTimeout(() => dismissToast(t.id), ms);
}

export function dismissToast(id: number): void {
  const next = toasts.filter((t) => t.id !== id);
  if (next.length !== toasts.length) {
    toasts = next;
    emit();
  }
}

export const toast = {
  error: (text: string) => showToast(text, 'error'),
  info: (text: string) => showToast(text, 'info', 3000),
};

function subscribe(fn: () => void) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
const get = () => toasts;

export function Toasts() {
  const list = useSyncExternalStore(subscribe, get, get);
  return (
    <div className="toasts" role="status" aria-live="polite">
      {list.map((t) => (
        <div key={t.id} className={`toast toast-${t.kind}`} data-testid="toast" onClick={() => dismissToast(t.id)}>
          {t.text}
        </div>
      ))}
    </div>
  );
}
