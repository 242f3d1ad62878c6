import { describe, expect, it } from 'vitest';
import { isLessonRoute, lessonPath, matchRoute } from '../../client/src/routes.js';

describe('routes', () => {
  it('matches every page of the app', () => {
    expect(matchRoute('/')).toEqual({ name: 'home' });
    expect(matchRoute('')).toEqual({ name: 'home' });
    expect(matchRoute('/login/')).toEqual({ name: 'login' });
    expect(matchRoute('/admin')).toEqual({ name: 'admin' });
    expect(matchRoute('/timetable')).toEqual({ name: 'timetable' });
    expect(matchRoute('/timetable/pairings/p%201')).toEqual({ name: 'pairingWeek', pairingId: 'p 1' });
    expect(matchRoute('/plans/x')).toEqual({ name: 'plan', planId: 'x' });
    expect(matchRoute('/recordings')).toEqual({ name: 'recordings' });
    expect(matchRoute('/recordings/l1')).toEqual({ name: 'replay', lessonId: 'l1' });
    expect(matchRoute('/research')).toEqual({ name: 'research' });
    expect(matchRoute('/research/lessons/l1')).toEqual({ name: 'researchLesson', lessonId: 'l1' });
    expect(matchRoute('/research/compare', '?a=1&b=2')).toEqual({ name: 'researchCompare', a: '1', b: '2' });
    expect(matchRoute('/research/compare')).toEqual({ name: 'researchCompare', a: '', b: '' });
  });

  it('finds a lesson URL, as the boot-time join does, and builds it back', () => {
    for (const view of ['teach', 'projector', 'observe'] as const) {
      const path = lessonPath('数学 1', view);
      const route = matchRoute(path);
      expect(route).toEqual({ name: view, lessonId: '数学 1' });
      expect(isLessonRoute(route)).toBe(true);
      expect(matchRoute(`${path}/`)).toEqual(route);
    }
    expect(isLessonRoute(matchRoute('/recordings/l1'))).toBe(false);
  });

  it('anything else is not found', () => {
    for (const p of ['/lessons/x', '/lessons//teach', '/lessons/x/teach/more', '/lessons/x/present', '/plans', '/nope']) {
      expect(matchRoute(p), p).toEqual({ name: 'notFound' });
    }
  });
});
