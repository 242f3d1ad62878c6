// The app's URLs, in one table: the router (App.tsx) renders from it and the boot entry
// (main.tsx → LessonSessions.prewarm) finds a lesson URL with it before React loads, so
// both always agree on what a lesson URL is. No React here: main.tsx imports it.

export type LessonView = 'teach' | 'projector' | 'observe';

export type Route =
  | { name: 'login' }
  | { name: 'home' }
  | { name: 'admin' }
  | { name: LessonView; lessonId: string }
  | { name: 'timetable' }
  | { name: 'pairingWeek'; pairingId: string }
  | { name: 'plan'; planId: string }
  | { name: 'recordings' }
  | { name: 'replay'; lessonId: string }
  | { name: 'research' }
  | { name: 'researchLesson'; lessonId: string }
  | { name: 'researchCompare'; a: string; b: string }
  | { name: 'workspaceActivities' }
  | { name: 'workspaceReview' }
  | { name: 'mentors'; pairId: string | null }
  | { name: 'workspaceReports' }
  | { name: 'workspace' }
  | { name: 'workspaceStructure' }
  | { name: 'workspacePairing'; pairingId: string }
  | { name: 'workspaceCommunity'; communityId: string }
  | { name: 'notFound' };

type Params = Record<string, string>;

/** `:name` segments are parameters (one non-empty segment each, URI-decoded). */
const ROUTES: readonly (readonly [pattern: string, route: (p: Params, q: URLSearchParams) => Route])[] = [
  ['/', () => ({ name: 'home' })],
  ['/login', () => ({ name: 'login' })],
  ['/admin', () => ({ name: 'admin' })],
  ['/timetable', () => ({ name: 'timetable' })],
  ['/timetable/pairings/:pairingId', (p) => ({ name: 'pairingWeek', pairingId: p.pairingId })],
  ['/plans/:planId', (p) => ({ name: 'plan', planId: p.planId })],
  ['/recordings', () => ({ name: 'recordings' })],
  ['/recordings/:lessonId', (p) => ({ name: 'replay', lessonId: p.lessonId })],
  ['/research', () => ({ name: 'research' })],
  ['/research/compare', (_, q) => ({ name: 'researchCompare', a: q.get('a') ?? '', b: q.get('b') ?? '' })],
  ['/research/lessons/:lessonId', (p) => ({ name: 'researchLesson', lessonId: p.lessonId })],
  ['/workspace/activities', () => ({ name: 'workspaceActivities' })],
  ['/workspace/review', () => ({ name: 'workspaceReview' })],
  ['/workspace/mentors', () => ({ name: 'mentors', pairId: null })],
  ['/workspace/mentors/:pairId', (p) => ({ name: 'mentors', pairId: p.pairId })],
  ['/workspace/reports', () => ({ name: 'workspaceReports' })],
  ['/workspace', () => ({ name: 'workspace' })],
  ['/workspace/structure', () => ({ name: 'workspaceStructure' })],
  ['/workspace/pairings/:pairingId', (p) => ({ name: 'workspacePairing', pairingId: p.pairingId })],
  ['/workspace/communities/:communityId', (p) => ({ name: 'workspaceCommunity', communityId: p.communityId })],
  ['/lessons/:lessonId/teach', (p) => ({ name: 'teach', lessonId: p.lessonId })],
  ['/lessons/:lessonId/projector', (p) => ({ name: 'projector', lessonId: p.lessonId })],
  ['/lessons/:lessonId/observe', (p) => ({ name: 'observe', lessonId: p.lessonId })],
];

const TABLE = ROUTES.map(([pattern, route]) => ({ segments: split(pattern), route }));

function split(path: string): string[] {
  return path.split('/').slice(1);
}

/** The route of a path (trailing slashes ignored); `search` feeds the query-string routes. */
export function matchRoute(path: string, search = ''): Route {
  let end = path.length;
  while (end > 0 && path[end - 1] === '/') end--; // trailing slashes, in one backward scan
  const segments = split(end > 0 ? path.slice(0, end) : '/');
  for (const { segments: want, route } of TABLE) {
    const params = matchSegments(want, segments);
    if (params) return route(params, new URLSearchParams(search));
  }
  return { name: 'notFound' };
}

function matchSegments(want: string[], got: string[]): Params | null {
  if (want.length !== got.length) return null;
  const params: Params = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) {
      if (got[i] === '') return null;
      params[want[i].slice(1)] = decodeURIComponent(got[i]);
    } else if (want[i] !== got[i]) {
      return null;
    }
  }
  return params;
}

export function isLessonRoute(route: Route): route is { name: LessonView; lessonId: string } {
  return route.name === 'teach' || route.name === 'projector' || route.name === 'observe';
}

export function lessonPath(lessonId: string, view: LessonView): string {
  return `/lessons/${encodeURIComponent(lessonId)}/${view}`;
}
