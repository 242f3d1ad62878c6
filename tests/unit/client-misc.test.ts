import { describe, expect, it } from 'vitest';
import type { Lesson } from '../../server/contract/domain.js';
import { en } from '../../client/src/i18n/en.js';
import { format } from '../../client/src/i18n/index.js';
import { zhCN } from '../../client/src/i18n/zh-CN.js';
import { DEVICE_CODE_RE, formatDeviceCode, liveLessonFor } from '../../client/src/lessons.js';

const lesson = (id: string, state: Lesson['state'], receiving: string[]): Lesson => ({
  id,
  communityId: 'c',
  title: id,
  subject: '数学',
  grade: 3,
  teacherId: 't',
  teacherName: '王老师',
  hostClassroomId: 'host',
  receivingClassroomIds: receiving,
  scheduledAt: new Date().toISOString(),
  durationMin: 40,
  state,
  startedAt: null,
  endedAt: null,
});

describe('liveLessonFor', () => {
  it('finds the live lesson that this classroom receives', () => {
    const ls = [lesson('a', 'scheduled', ['r1']), lesson('b', 'live', ['r2']), lesson('c', 'live', ['r1'])];
    expect(liveLessonFor(ls, 'r1')?.id).toBe('c');
    expect(liveLessonFor(ls, 'r3')).toBeUndefined();
    expect(liveLessonFor([lesson('d', 'ended', ['r1'])], 'r1')).toBeUndefined();
  });
});

describe('formatDeviceCode', () => {
  it('normalises what is typed', () => {
    expect(formatDeviceCode('abcd2345')).toBe('ABCD-2345');
    expect(formatDeviceCode('ab cd-23 45 99')).toBe('ABCD-2345');
    expect(formatDeviceCode('ab')).toBe('AB');
    expect(DEVICE_CODE_RE.test(formatDeviceCode('abcd2345'))).toBe(true);
  });
});

describe('i18n', () => {
  it('has the same keys in both languages', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
  });
  it('keeps placeholders in both languages', () => {
    for (const k of Object.keys(zhCN) as (keyof typeof zhCN)[]) {
      const ph = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
      expect(ph(en[k]), k).toEqual(ph(zhCN[k]));
    }
  });
  it('fills placeholders', () => {
    expect(format('第 {n} 位', { n: 2 })).toBe('第 2 位');
    expect(format('{a}{b}', { a: 'x' })).toBe('x{b}');
  });
});
