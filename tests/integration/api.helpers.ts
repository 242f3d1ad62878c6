// Shared set-up for the API integration tests: a real in-memory PGlite, the demo seed,
// and the API router on an ephemeral port.
import type { AddressInfo } from 'node:net';
import express from 'express';
import { openDb, type Db } from '../../server/db/db.js';
import { createApiRouter, type ApiRouterOptions } from '../../server/http/api.js';
import { seedDemo, type DemoAccounts } from '../../server/community/seed.js';
import {
  createClassroom,
  createCommunity,
  createPairing,
  createSchool,
  createUser,
} from '../../server/community/repo.js';
import type { PublicUser } from '../../server/contract/domain.js';

export const DEMO_PASSWORD = 'demo-pass-123';

export interface Demo {
  db: Db;
  accounts: DemoAccounts;
  user(username: string): Promise<PublicUser>;
  classroomId(name: string): Promise<string>;
  schoolId(name: string): Promise<string>;
}

export async function seededDb(): Promise<Demo> {
  const db = await openDb({});
  const accounts = await seedDemo(db, { password: DEMO_PASSWORD });
  if (!accounts) throw new Error('seed did nothing on an empty database');
  return {
    db,
    accounts,
    async user(username) {
      const rows = await db.query(
        'select id, username, display_name, role, school_id, classroom_id from users where username = $1',
        [username],
      );
      const r = rows[0];
      if (!r) throw new Error(`no user ${username}`);
      return {
        id: String(r.id),
        username: String(r.username),
        displayName: String(r.display_name),
        role: r.role as PublicUser['role'],
        schoolId: (r.school_id as string | null) ?? null,
        classroomId: (r.classroom_id as string | null) ?? null,
      };
    },
    async classroomId(name) {
      const rows = await db.query<{ id: string }>('select id from classrooms where name = $1', [name]);
      if (rows.length !== 1) throw new Error(`classroom ${name}: ${rows.length} rows`);
      return rows[0].id;
    },
    async schoolId(name) {
      const rows = await db.query<{ id: string }>('select id from schools where name = $1', [name]);
      if (rows.length !== 1) throw new Error(`school ${name}: ${rows.length} rows`);
      return rows[0].id;
    },
  };
}

/** A second, unrelated community with the same shape, for cross-community checks. */
export async function otherCommunity(db: Db) {
  const community = await createCommunity(db, { name: '远山教共体' });
  const city = await createSchool(db, { communityId: community.id, name: '远山实验小学', kind: 'city' });
  const rural = await createSchool(db, { communityId: community.id, name: '远山村小', kind: 'rural' });
  await createPairing(db, { citySchoolId: city.id, ruralSchoolId: rural.id });
  const cityRoom = await createClassroom(db, { schoolId: city.id, name: '远山三(1)班', grade: 3 });
  const ruralRoom = await createClassroom(db, { schoolId: rural.id, name: '远山三年级', grade: 3 });
  const pw = DEMO_PASSWORD;
  return {
    community,
    city,
    rural,
    cityRoom,
    ruralRoom,
    admin: await createUser(db, { username: 'far-admin', displayName: '远山主任', role: 'community_admin', communityId: community.id, password: pw }),
    schoolAdmin: await createUser(db, { username: 'far-city-admin', displayName: '远山校长', role: 'school_admin', schoolId: city.id, password: pw }),
    teacher: await createUser(db, { username: 'far-teacher', displayName: '远山老师', role: 'teacher', schoolId: city.id, password: pw }),
    researcher: await createUser(db, { username: 'far-researcher', displayName: '远山教研员', role: 'researcher', schoolId: city.id, password: pw }),
  };
}

export interface Server {
  url: string;
  close(): Promise<void>;
}

export async function startApi(opts: ApiRouterOptions): Promise<Server> {
  const app = express();
  app.use(createApiRouter(opts));
  return listen(app);
}

/** An express app on an ephemeral port, closed with its open connections. */
export async function listen(app: express.Express): Promise<Server> {
  const server = app.listen(0);
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** The `name=value` part of the session Set-Cookie, ready for a Cookie header. */
export function sessionCookie(res: Response): string {
  const set = res.headers.getSetCookie().find((c) => c.startsWith('tongbu_session='));
  if (!set) throw new Error('no session cookie set');
  return set.split(';')[0];
}

export async function login(url: string, username: string, password = DEMO_PASSWORD): Promise<string> {
  const res = await post(url, '/api/auth/login', { username, password });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  return sessionCookie(res);
}

export function post(url: string, path: string, body?: unknown, cookie?: string): Promise<Response> {
  return fetch(url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export function get(url: string, path: string, cookie?: string): Promise<Response> {
  return fetch(url + path, { headers: cookie ? { cookie } : {} });
}
