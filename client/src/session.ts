// Who is signed in (GET /api/me), and the community directory (GET /api/community), as small stores.
import { useEffect, useSyncExternalStore } from 'react';
import type { CommunityView, UserResponse } from '../../server/contract/api.js';
import type { PublicUser } from '../../server/contract/domain.js';
import { api } from './api.js';
import { RequestError } from './requestError.js';

export type AuthState = { status: 'loading' } | { status: 'out' } | { status: 'in'; user: PublicUser } | { status: 'error'; message: string };

let auth: AuthState = { status: 'loading' };
const authListeners = new Set<() => void>();
function setAuth(next: AuthState): void {
  auth = next;
  for (const l of authListeners) l();
}

export function useAuth(): AuthState {
  return useSyncExternalStore(
    (fn) => {
      authListeners.add(fn);
      return () => authListeners.delete(fn);
    },
    () => auth,
    () => auth,
  );
}

export function currentUser(): PublicUser | null {
  return auth.status === 'in' ? auth.user : null;
}

export async function loadMe(): Promise<void> {
  try {
    const { user } = await api<UserResponse>('GET', '/api/me');
    setAuth({ status: 'in', user });
  } catch (e) {
    if (e instanceof RequestError && e.status === 401) setAuth({ status: 'out' });
    else setAuth({ status: 'error', message: e instanceof Error ? e.message : String(e) });
  }
}

export function markSignedOut(): void {
  community = null;
  communityPromise = null;
  setAuth({ status: 'out' });
}

export async function login(username: string, password: string): Promise<PublicUser> {
  const { user } = await api<UserResponse>('POST', '/api/auth/login', { username, password });
  setAuth({ status: 'in', user });
  return user;
}

export async function deviceLogin(code: string): Promise<PublicUser> {
  const { user } = await api<UserResponse>('POST', '/api/auth/device', { code });
  setAuth({ status: 'in', user });
  return user;
}

export async function logout(): Promise<void> {
  try {
    await api('POST', '/api/auth/logout');
  } finally {
    markSignedOut();
  }
}

// ---- community directory (names of schools and classrooms) ----

let community: CommunityView | null = null;
let communityPromise: Promise<CommunityView | null> | null = null;
const communityListeners = new Set<() => void>();

function fetchCommunity(force = false): Promise<CommunityView | null> {
  if (communityPromise && !force) return communityPromise;
  communityPromise = api<CommunityView>('GET', '/api/community')
    .then((c) => {
      community = c;
      for (const l of communityListeners) l();
      return c;
    })
    .catch(() => {
      communityPromise = null; // e.g. a classroom device may not see it; names fall back
      return null;
    });
  return communityPromise;
}

export function useCommunity(): CommunityView | null {
  const c = useSyncExternalStore(
    (fn) => {
      communityListeners.add(fn);
      return () => communityListeners.delete(fn);
    },
    () => community,
    () => community,
  );
  useEffect(() => {
    if (!community) void fetchCommunity();
  }, []);
  return c;
}

/** "School · Classroom" when the directory is known; else a fallback (peer display name or the id). */
export function classroomLabel(c: CommunityView | null, classroomId: string, fallback?: string): string {
  const room = c?.classrooms.find((r) => r.id === classroomId);
  if (room) {
    const school = c?.schools.find((s) => s.id === room.schoolId);
    return school ? `${school.name} ${room.name}` : room.name;
  }
  return fallback ?? classroomId;
}
