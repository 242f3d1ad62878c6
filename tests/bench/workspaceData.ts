// A bureau's worth of 教共体 data for the dashboard benchmark (issue 12): 50 communities, 300
// pairings (two city schools each paired with three rural schools), three school years of held
// synchronous lessons with their presence logs, research sessions and offline activities. Written with a handful of
// set-based inserts (unnest of arrays), so 20,000 lessons and 80,000 presence events take seconds,
// not the minutes row-by-row inserts would. Deterministic (seeded), so runs compare.
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../server/db/db.js';
import { schoolInstant, addDays } from '../../server/contract/time.js';

export interface BureauData {
  bureauId: string;
  reviewerId: string;
  communityIds: string[];
  pairings: { id: string; communityId: string; citySchoolId: string; ruralSchoolId: string; cityRoom: string; ruralRoom: string; teacherId: string; adminId: string }[];
  lessons: number;
  presenceEvents: number;
  sessions: number;
  offline: number;
  firstDay: string;
  lastDay: string;
}

let seed = 7;
const rand = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};

const SUBJECTS = ['语文', '数学', '英语', '科学', '音乐', '美术'];

async function insertRows(db: Queryable, table: string, columns: [name: string, type: string][], rows: unknown[][]): Promise<void> {
  const CHUNK = 5000;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const part = rows.slice(i, i + CHUNK);
    const arrays = columns.map((_, c) => part.map((r) => r[c]));
    const select = columns.map(([, type], c) => `$${c + 1}::${type}[]`).join(', ');
    await db.query(`insert into ${table} (${columns.map(([n]) => n).join(', ')}) select * from unnest(${select})`, arrays);
  }
}

export async function seedBureau(
  db: Queryable,
  o: { communities: number; pairingsPerCommunity: number; lessons: number; sessions: number; offline: number; years: number },
): Promise<BureauData> {
  const bureauId = randomUUID();
  await db.query(`insert into bureaus (id, name, region) values ($1, '基准区教育局', '基准区')`, [bureauId]);
  const reviewerId = randomUUID();
  await db.query(`insert into users (id, bureau_id, username, display_name, role) values ($1, $2, 'bench-reviewer', '基准审核员', 'bureau_reviewer')`, [reviewerId, bureauId]);

  const communities: unknown[][] = [];
  const schools: unknown[][] = [];
  const classrooms: unknown[][] = [];
  const users: unknown[][] = [];
  const pairingRows: unknown[][] = [];
  const pairings: BureauData['pairings'] = [];
  const perCity = Math.ceil(o.pairingsPerCommunity / 2);
  for (let c = 0; c < o.communities; c++) {
    const communityId = randomUUID();
    communities.push([communityId, `基准教共体${c + 1}`, bureauId]);
    const adminId = randomUUID();
    users.push([adminId, communityId, null, `bench-admin-${c}`, `管理员${c}`, 'community_admin']);
    for (let k = 0; k < 2; k++) {
      const cityId = randomUUID();
      const cityRoom = randomUUID();
      schools.push([cityId, communityId, `基准城区小学${c}-${k}`, 'city']);
      classrooms.push([cityRoom, cityId, '四年级(1)班', 4]);
      const teacherId = randomUUID();
      users.push([teacherId, communityId, cityId, `bench-t-${c}-${k}`, `教师${c}-${k}`, 'teacher']);
      for (let r = 0; r < perCity && pairings.length < (c + 1) * o.pairingsPerCommunity; r++) {
        const ruralId = randomUUID();
        const ruralRoom = randomUUID();
        schools.push([ruralId, communityId, `基准村小${c}-${k}-${r}`, 'rural']);
        classrooms.push([ruralRoom, ruralId, '四年级', 4]);
        users.push([randomUUID(), communityId, ruralId, `bench-r-${c}-${k}-${r}`, `村小教师${c}-${k}-${r}`, 'teacher']);
        const id = randomUUID();
        pairingRows.push([id, communityId, cityId, ruralId]);
        pairings.push({ id, communityId, citySchoolId: cityId, ruralSchoolId: ruralId, cityRoom, ruralRoom, teacherId, adminId });
      }
    }
  }
  await insertRows(db, 'communities', [['id', 'text'], ['name', 'text'], ['bureau_id', 'text']], communities);
  await insertRows(db, 'schools', [['id', 'text'], ['community_id', 'text'], ['name', 'text'], ['kind', 'text']], schools);
  await insertRows(db, 'classrooms', [['id', 'text'], ['school_id', 'text'], ['name', 'text'], ['grade', 'int']], classrooms);
  await insertRows(db, 'users', [['id', 'text'], ['community_id', 'text'], ['school_id', 'text'], ['username', 'text'], ['display_name', 'text'], ['role', 'text']], users);
  await insertRows(db, 'pairings', [['id', 'text'], ['community_id', 'text'], ['city_school_id', 'text'], ['rural_school_id', 'text']], pairingRows);

  // Three school years ending today: lessons on school days at 09:00–15:00 Shanghai.
  const lastDay = new Date().toISOString().slice(0, 10);
  const firstDay = addDays(lastDay, -365 * o.years);
  const spanDays = 365 * o.years;
  const lessons: unknown[][] = [];
  const links: unknown[][] = [];
  const events: unknown[][] = [];
  for (let i = 0; i < o.lessons; i++) {
    const p = pairings[Math.floor(rand() * pairings.length)];
    const day = addDays(firstDay, Math.floor(rand() * spanDays));
    const start = schoolInstant(day, 9 * 60 + Math.floor(rand() * 6) * 60);
    const end = new Date(start.getTime() + 40 * 60_000);
    const id = randomUUID();
    lessons.push([id, p.communityId, `同步课 ${i}`, SUBJECTS[Math.floor(rand() * SUBJECTS.length)], 4, p.teacherId, p.cityRoom, start.toISOString(), 40, 'ended', start.toISOString(), end.toISOString()]);
    links.push([id, p.ruralRoom]);
    // One lesson in ten, the rural room was there only a few minutes (it does not count).
    const ruralMin = rand() < 0.1 ? 5 : 38;
    const at = (min: number) => new Date(start.getTime() + min * 60_000).toISOString();
    events.push([id, at(0), 'presence:join', JSON.stringify({ classroomId: p.cityRoom, peerId: 'c' })]);
    events.push([id, at(1), 'presence:join', JSON.stringify({ classroomId: p.ruralRoom, peerId: 'r' })]);
    events.push([id, at(1 + ruralMin), 'presence:leave', JSON.stringify({ classroomId: p.ruralRoom, peerId: 'r' })]);
    events.push([id, at(40), 'presence:leave', JSON.stringify({ classroomId: p.cityRoom, peerId: 'c' })]);
  }
  await insertRows(
    db,
    'lessons',
    [['id', 'text'], ['community_id', 'text'], ['title', 'text'], ['subject', 'text'], ['grade', 'int'], ['teacher_id', 'text'], ['host_classroom_id', 'text'], ['scheduled_at', 'timestamptz'], ['duration_min', 'int'], ['state', 'text'], ['started_at', 'timestamptz'], ['ended_at', 'timestamptz']],
    lessons,
  );
  await insertRows(db, 'lesson_classrooms', [['lesson_id', 'text'], ['classroom_id', 'text']], links);
  await insertRows(db, 'lesson_events', [['lesson_id', 'text'], ['at', 'timestamptz'], ['type', 'text'], ['payload', 'jsonb']], events);

  // Research sessions: one group per community, members from both sides of its pairings.
  const groups: unknown[][] = [];
  const members: unknown[][] = [];
  const sessions: unknown[][] = [];
  const groupOf = new Map<string, string>();
  for (const communityId of new Set(pairings.map((p) => p.communityId))) {
    const id = randomUUID();
    const creator = pairings.find((p) => p.communityId === communityId)!;
    groups.push([id, communityId, '教研组', '数学', creator.adminId]);
    members.push([id, creator.teacherId, 'lead']);
    // The community's rural teachers, so sessions have members of both schools.
    for (const u of users) if (u[1] === communityId && String(u[3]).startsWith('bench-r-')) members.push([id, u[0], 'member']);
    groupOf.set(communityId, id);
  }
  for (let i = 0; i < o.sessions; i++) {
    const p = pairings[Math.floor(rand() * pairings.length)];
    const at = schoolInstant(addDays(firstDay, Math.floor(rand() * spanDays)), 15 * 60);
    sessions.push([randomUUID(), groupOf.get(p.communityId)!, ['planning', 'diagnosis', 'thematic'][i % 3], `研修 ${i}`, p.id, at.toISOString(), p.adminId, '研修纪要']);
  }
  await insertRows(db, 'research_groups', [['id', 'text'], ['community_id', 'text'], ['name', 'text'], ['subject', 'text'], ['created_by', 'text']], groups);
  await insertRows(db, 'research_group_members', [['group_id', 'text'], ['user_id', 'text'], ['role', 'text']], members);
  await insertRows(
    db,
    'research_sessions',
    [['id', 'text'], ['group_id', 'text'], ['kind', 'text'], ['title', 'text'], ['pairing_id', 'text'], ['scheduled_at', 'timestamptz'], ['created_by', 'text'], ['minutes', 'text']],
    sessions,
  );
  // Offline activities (送教下乡, visits, offline 教研, exchanges), filed by the schools, most checked.
  const KINDS = ['send_teaching', 'offline_research', 'teacher_visit', 'student_exchange', 'mentoring'];
  const offline: unknown[][] = [];
  for (let i = 0; i < o.offline; i++) {
    const p = pairings[Math.floor(rand() * pairings.length)];
    const x = rand();
    const status = x < 0.6 ? 'accepted' : x < 0.9 ? 'submitted' : x < 0.95 ? 'returned' : 'draft';
    const school = rand() < 0.5 ? p.citySchoolId : p.ruralSchoolId;
    offline.push([
      randomUUID(),
      p.communityId,
      school,
      p.id,
      KINDS[i % KINDS.length],
      addDays(firstDay, Math.floor(rand() * spanDays)),
      '村小多功能教室',
      SUBJECTS[i % SUBJECTS.length],
      JSON.stringify([p.teacherId]),
      p.adminId,
      status,
      status === 'returned' ? '请补充签到表' : null,
    ]);
  }
  await insertRows(
    db,
    'workspace_activities',
    [['id', 'text'], ['community_id', 'text'], ['school_id', 'text'], ['pairing_id', 'text'], ['kind', 'text'], ['day', 'date'], ['place', 'text'], ['subject', 'text'], ['teacher_ids', 'jsonb'], ['created_by', 'text'], ['status', 'text'], ['review_comment', 'text']],
    offline,
  );
  return {
    bureauId,
    reviewerId,
    communityIds: communities.map((c) => String(c[0])),
    pairings,
    lessons: lessons.length,
    presenceEvents: events.length,
    sessions: sessions.length,
    offline: offline.length,
    firstDay,
    lastDay,
  };
}
