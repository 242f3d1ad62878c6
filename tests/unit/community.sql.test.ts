import { describe, expect, it } from 'vitest';
import { iso, isoOrNull, sortableId } from '../../server/community/sql.js';

describe('sql helpers', () => {
  it('sortableId sorts in creation order even within one millisecond', () => {
    const ids = Array.from({ length: 2000 }, () => sortableId());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(/^[0-9a-z]{26}$/);
  });

  it('iso accepts Date and text timestamps', () => {
    expect(iso(new Date('2030-01-01T00:00:00Z'))).toBe('2030-01-01T00:00:00.000Z');
    expect(iso('2030-01-01 08:00:00+08')).toBe('2030-01-01T00:00:00.000Z');
    expect(isoOrNull(null)).toBeNull();
  });
});
