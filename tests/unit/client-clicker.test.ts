import { describe, expect, it } from 'vitest';
import { clickerAction } from '../../client/src/live/clicker.js';

describe('clickerAction', () => {
  it('raises on next-slide keys, Space and Enter', () => {
    for (const key of ['PageDown', 'ArrowRight', ' ', 'Enter']) expect(clickerAction({ key })).toBe('raise');
  });
  it('lowers on previous-slide keys and Escape', () => {
    for (const key of ['PageUp', 'ArrowLeft', 'Escape']) expect(clickerAction({ key })).toBe('lower');
  });
  it('ignores other keys, repeats and modifiers', () => {
    expect(clickerAction({ key: 'b' })).toBeNull();
    expect(clickerAction({ key: 'F5' })).toBeNull();
    expect(clickerAction({ key: 'PageDown', repeat: true })).toBeNull();
    expect(clickerAction({ key: 'ArrowRight', altKey: true })).toBeNull();
    expect(clickerAction({ key: 'Enter', ctrlKey: true })).toBeNull();
  });
  it('ignores typing in form fields', () => {
    expect(clickerAction({ key: ' ', targetTag: 'INPUT' })).toBeNull();
    expect(clickerAction({ key: 'Enter', targetTag: 'textarea' })).toBeNull();
    expect(clickerAction({ key: 'Enter', targetEditable: true })).toBeNull();
    expect(clickerAction({ key: 'PageDown', targetTag: 'BUTTON' })).toBe('raise');
  });
});
