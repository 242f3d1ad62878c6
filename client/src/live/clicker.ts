// Presenter clicker (and keyboard) → hand actions on the projector.
// Clickers send PageDown/PageUp (some ArrowRight/ArrowLeft); Space/Enter raise, Escape lowers.

export type HandAction = 'raise' | 'lower';

export const RAISE_KEYS: readonly string[] = ['PageDown', 'ArrowRight', ' ', 'Spacebar', 'Enter'];
export const LOWER_KEYS: readonly string[] = ['PageUp', 'ArrowLeft', 'Escape', 'Esc'];

export interface KeyLike {
  key: string;
  repeat?: boolean;
  altKey?: boolean;
  ctrlKey?: boolean;
  metaKey?: boolean;
  /** tagName of the event target, e.g. 'INPUT'. */
  targetTag?: string;
  targetEditable?: boolean;
}

const TYPING_TAGS = new Set(['INPUT', 'TEXTAREA', 'SELECT']);

export function clickerAction(e: KeyLike): HandAction | null {
  if (e.repeat || e.altKey || e.ctrlKey || e.metaKey) return null;
  if (e.targetEditable || (e.targetTag && TYPING_TAGS.has(e.targetTag.toUpperCase()))) return null;
  if (RAISE_KEYS.includes(e.key)) return 'raise';
  if (LOWER_KEYS.includes(e.key)) return 'lower';
  return null;
}
