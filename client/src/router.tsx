// A tiny path router (no library): history API + popstate, a matcher and a <Link>.
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

const NAV_EVENT = 'tongbu:navigate';

function subscribe(fn: () => void): () => void {
  window.addEventListener('popstate', fn);
  window.addEventListener(NAV_EVENT, fn);
  return () => {
    window.removeEventListener('popstate', fn);
    window.removeEventListener(NAV_EVENT, fn);
  };
}

const getPath = () => window.location.pathname;

export function usePath(): string {
  return useSyncExternalStore(subscribe, getPath, getPath);
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === window.location.pathname + window.location.search) return;
  if (opts.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAV_EVENT));
}

export type Route =
  | { name: 'login' }
  | { name: 'home' }
  | { name: 'admin' }
  | { name: 'teach'; lessonId: string }
  | { name: 'projector'; lessonId: string }
  | { name: 'observe'; lessonId: string }
  | { name: 'timetable' }
  | { name: 'pairingWeek'; pairingId: string }
  | { name: 'plan'; planId: string }
  | { name: 'recordings' }
  | { name: 'replay'; lessonId: string }
  | { name: 'research' }
  | { name: 'researchLesson'; lessonId: string }
  | { name: 'researchCompare'; a: string; b: string }
  | { name: 'notFound' };

export function matchRoute(path: string): Route {
  let end = path.length;
  while (end > 0 && path[end - 1] === '/') end--; // trailing slashes, in one backward scan
  const p = path.length > 1 ? path.slice(0, end) : path;
  if (p === '/' || p === '') return { name: 'home' };
  if (p === '/login') return { name: 'login' };
  if (p === '/admin') return { name: 'admin' };
  if (p === '/timetable') return { name: 'timetable' };
  if (p === '/recordings') return { name: 'recordings' };
  if (p === '/research') return { name: 'research' };
  if (p === '/research/compare') {
    const q = new URLSearchParams(window.location.search);
    return { name: 'researchCompare', a: q.get('a') ?? '', b: q.get('b') ?? '' };
  }
  const rl = /^\/research\/lessons\/([^/]+)$/.exec(p);
  if (rl) return { name: 'researchLesson', lessonId: decodeURIComponent(rl[1]) };
  const rec = /^\/recordings\/([^/]+)$/.exec(p);
  if (rec) return { name: 'replay', lessonId: decodeURIComponent(rec[1]) };
  const tt = /^\/timetable\/pairings\/([^/]+)$/.exec(p);
  if (tt) return { name: 'pairingWeek', pairingId: decodeURIComponent(tt[1]) };
  const plan = /^\/plans\/([^/]+)$/.exec(p);
  if (plan) return { name: 'plan', planId: decodeURIComponent(plan[1]) };
  const m = /^\/lessons\/([^/]+)\/(teach|projector|observe)$/.exec(p);
  if (m) return { name: m[2] as 'teach' | 'projector' | 'observe', lessonId: decodeURIComponent(m[1]) };
  return { name: 'notFound' };
}

export function lessonPath(lessonId: string, view: 'teach' | 'projector' | 'observe'): string {
  return `/lessons/${encodeURIComponent(lessonId)}/${view}`;
}

export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  const { to, onClick, ...rest } = props;
  return (
    <a
      {...rest}
      href={to}
      onClick={(e: MouseEvent<HTMLAnchorElement>) => {
        onClick?.(e);
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(to);
      }}
    />
  );
}
