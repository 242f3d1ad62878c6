// Who may do what in a live lesson, checked against the real server: sign-in at connect,
// lesson membership at join, and the role rules of every controlling or publishing event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { destroySession, hashToken } from '../../server/auth/sessions.js';
import { createClassroom, createCommunity, createPairing, createSchool, createUser } from '../../server/community/repo.js';
import { issueDeviceCode } from '../../server/auth/deviceCodes.js';
import type { ClientEventName, ClientPayload } from '../../server/contract/events.js';
import {
  joinWithMedia,
  opusRtpParameters,
  produceCamera,
  produceMic,
  startLiveServer,
  vp8SimulcastRtpParameters,
  type LiveTestServer,
  type TestClient,
} from '../helpers/liveServer.js';

let srv: LiveTestServer;
let lessonId: string;
let A: string;
let B: string;

beforeAll(async () => {
  srv = await startLiveServer({});
  lessonId = srv.lessonId;
  A = srv.classrooms.qingshan;
  B = srv.classrooms.shiqiao;
}, 60_000);

afterAll(async () => {
  await srv?.close();
});

const cookieOfToken = (t: string) => `tongbu_session=${t}`;

describe('connecting', () => {
  it('refuses a socket without a session', async () => {
    const err = await srv.refused(null);
    expect(err.message).toBe('UNAUTHENTICATED');
    expect(err.data).toEqual({ code: 'UNAUTHENTICATED' });
  });

  it('refuses unknown, logged-out and expired sessions', async () => {
    expect((await srv.refused(cookieOfToken(randomBytes(32).toString('base64url')))).message).toBe('UNAUTHENTICATED');
    expect((await srv.refused('tongbu_session=' + 'x'.repeat(5000))).message).toBe('UNAUTHENTICATED');
    expect((await srv.refused('not a cookie header ;;; ===')).message).toBe('UNAUTHENTICATED');

    const cookie = await srv.cookieFor('teacher-wang');
    const ok = await srv.connect(cookie, 'before-logout');
    ok.close();
    await destroySession(srv.db, cookie.slice('tongbu_session='.length));
    expect((await srv.refused(cookie)).message).toBe('UNAUTHENTICATED');

    const token = randomBytes(32).toString('base64url');
    const wang = await srv.user('teacher-wang');
    await srv.db.query(`insert into sessions (id_hash, user_id, expires_at) values ($1, $2, now() - interval '1 minute')`, [
      hashToken(token),
      wang.id,
    ]);
    expect((await srv.refused(cookieOfToken(token))).message).toBe('UNAUTHENTICATED');
  });
});

describe('joining', () => {
  let far: { teacher: string; researcher: string; admin: string; lessonId: string };

  beforeAll(async () => {
    const db = srv.db;
    const community = await createCommunity(db, { name: '远山教共体' });
    const city = await createSchool(db, { communityId: community.id, name: '远山实验小学', kind: 'city' });
    const rural = await createSchool(db, { communityId: community.id, name: '远山村小', kind: 'rural' });
    await createPairing(db, { citySchoolId: city.id, ruralSchoolId: rural.id });
    const cityRoom = await createClassroom(db, { schoolId: city.id, name: '远山三(1)班', grade: 3 });
    const ruralRoom = await createClassroom(db, { schoolId: rural.id, name: '远山三年级', grade: 3 });
    const teacher = await createUser(db, { username: 'far-teacher', displayName: '远山老师', role: 'teacher', schoolId: city.id });
    await createUser(db, { username: 'far-researcher', displayName: '远山教研员', role: 'researcher', schoolId: city.id });
    await createUser(db, { username: 'far-admin', displayName: '远山主任', role: 'community_admin', communityId: community.id });
    const { createLesson } = await import('../../server/lessons/repo.js');
    const lesson = await createLesson(db, teacher, {
      title: '远山的课',
      subject: '语文',
      grade: 3,
      hostClassroomId: cityRoom.id,
      receivingClassroomIds: [ruralRoom.id],
      scheduledAt: new Date(Date.now() + 3600_000).toISOString(),
      durationMin: 40,
    });
    far = { teacher: 'far-teacher', researcher: 'far-researcher', admin: 'far-admin', lessonId: lesson.id };
  });

  it('another community’s teacher, researcher and admin connect but cannot join our lesson', async () => {
    for (const username of [far.teacher, far.researcher, far.admin]) {
      const c = await srv.connect(await srv.cookieFor(username), username);
      expect(await c.errorCode('lesson:join', { lessonId })).toBe('FORBIDDEN');
      // Having no seat, nothing else works either.
      expect(await c.errorCode('stage:set', { classroomId: A })).toBe('CONFLICT');
      expect(await c.errorCode('transport:create', { direction: 'recv' })).toBe('CONFLICT');
      expect(await c.errorCode('chat:send', { text: '你好' })).toBe('CONFLICT');
      c.close();
    }
    expect(srv.live()?.peers.size ?? 0).toBe(0);
  });

  it('our teacher and our classroom devices cannot join the other community’s lesson', async () => {
    const wang = await srv.connect(await srv.cookieFor('teacher-wang'), 'wang');
    expect(await wang.errorCode('lesson:join', { lessonId: far.lessonId })).toBe('FORBIDDEN');
    const dev = await srv.connect(await srv.deviceCookie(A), 'qingshan');
    expect(await dev.errorCode('lesson:join', { lessonId: far.lessonId })).toBe('FORBIDDEN');
    wang.close();
    dev.close();
    expect(srv.live(far.lessonId)).toBeUndefined();
  });

  it('a classroom device joins only lessons it receives', async () => {
    const onlyA = await srv.createLesson([A]);
    const b = await srv.connect(await srv.deviceCookie(B), 'shiqiao');
    expect(await b.errorCode('lesson:join', { lessonId: onlyA.id })).toBe('FORBIDDEN');
    const a = await srv.connect(await srv.deviceCookie(A), 'qingshan');
    expect((await a.ok('lesson:join', { lessonId: onlyA.id })).self).toMatchObject({ lessonRole: 'classroom', classroomId: A });
    // The host (city) classroom's own device gets nothing: the teacher's stream is that class.
    const { code } = await issueDeviceCode(srv.db, { classroomId: srv.classrooms.host, issuedBy: (await srv.user('admin')).id });
    const res = await fetch(`${srv.url}/api/auth/device`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    });
    expect(res.status).toBe(200);
    const hostCookie = res.headers.getSetCookie()[0].split(';')[0];
    const host = await srv.connect(hostCookie, 'host-device');
    expect(await host.errorCode('lesson:join', { lessonId: onlyA.id })).toBe('FORBIDDEN');
    expect(await host.errorCode('lesson:join', { lessonId })).toBe('FORBIDDEN');
    for (const c of [a, b, host]) c.close();
  });
});

describe('in the lesson', () => {
  let teacher: TestClient;
  let classroom: TestClient;
  let classroomSend: string;
  let observers: TestClient[];

  beforeAll(async () => {
    teacher = await srv.connect(await srv.cookieFor('teacher-wang'), 'teacher');
    await joinWithMedia(teacher, lessonId, { send: true });
    classroom = await srv.connect(await srv.deviceCookie(A), 'qingshan');
    classroomSend = (await joinWithMedia(classroom, lessonId, { send: true })).send!.id;
    // Everyone else of the community who may watch: a researcher, a teacher of a paired
    // rural school, the city school's admin and the community admin.
    observers = [];
    for (const username of ['researcher-zhao', 'teacher-li', 'city-admin', 'admin']) {
      const o = await srv.connect(await srv.cookieFor(username), username);
      const { snap } = await joinWithMedia(o, lessonId);
      expect(snap.self.lessonRole).toBe('observer');
      observers.push(o);
    }
  });

  it('observers neither open a send transport nor produce', async () => {
    for (const o of observers) {
      expect(await o.errorCode('transport:create', { direction: 'send' })).toBe('FORBIDDEN');
      const recv = await o.ok('transport:create', { direction: 'recv' });
      for (const source of ['camera', 'mic', 'screen'] as const) {
        expect(
          await o.errorCode('producer:create', {
            transportId: recv.id,
            kind: source === 'mic' ? 'audio' : 'video',
            source,
            rtpParameters: source === 'mic' ? opusRtpParameters(77, 'o') : vp8SimulcastRtpParameters('o'),
          }),
        ).toBe('FORBIDDEN');
      }
      expect(await o.errorCode('hand:raise', {})).toBe('FORBIDDEN');
    }
    expect(srv.live()!.counts().producers).toBe(0);
  });

  it('a classroom publishes camera and mic, never screen', async () => {
    expect(
      await classroom.errorCode('producer:create', {
        transportId: classroomSend,
        kind: 'video',
        source: 'screen',
        rtpParameters: vp8SimulcastRtpParameters('s0'),
      }),
    ).toBe('FORBIDDEN');
    await produceCamera(classroom, classroomSend);
    await produceMic(classroom, classroomSend);
    expect(srv.live()!.counts().producers).toBe(2);
    // The teacher may share a screen.
    const tSend = await teacher.ok('transport:create', { direction: 'send' });
    const screen = await teacher.ok('producer:create', {
      transportId: tSend.id,
      kind: 'video',
      source: 'screen',
      rtpParameters: vp8SimulcastRtpParameters('s0', 1),
    });
    expect(srv.live()!.currentMedia!.findProducer(screen.producerId)?.appData.source).toBe('screen');
  });

  it('only the lesson’s teacher controls the lesson', async () => {
    const quiz = await teacher.ok('quiz:push', { kind: 'truefalse', question: '对吗？' });
    const controls: { [E in ClientEventName]?: ClientPayload<E> } = {
      'stage:set': { classroomId: A },
      'classroom:mute': { classroomId: A, muted: true },
      'lesson:start': {},
      'lesson:end': {},
      'quiz:push': { kind: 'choice', question: '哪个？', options: ['甲', '乙'] },
      'quiz:close': { quizId: quiz.id },
    };
    for (const who of [classroom, ...observers]) {
      for (const [event, payload] of Object.entries(controls)) {
        const res = await who.request(event as ClientEventName, payload as never);
        expect(res.ok ? 'ok' : res.error.code, `${who.label} ${event}`).toBe('FORBIDDEN');
      }
      // Lowering another classroom's hand is the teacher's too.
      expect(await who.errorCode('hand:lower', { classroomId: B })).toBe('FORBIDDEN');
    }
    const live = srv.live()!;
    expect(live.stageClassroomId).toBeNull();
    expect(live.mutedClassroomIds).toEqual([]);
    expect(live.lesson.state).toBe('scheduled');
    const quizzes = await srv.db.query<{ n: number; open: number }>(
      'select count(*)::int as n, count(*) filter (where closed_at is null)::int as open from quizzes where lesson_id = $1',
      [lessonId],
    );
    expect(quizzes[0]).toEqual({ n: 1, open: 1 });
    expect(classroom.events('stage:updated')).toEqual([]);
  });

  it('the teacher of one lesson is only an observer in a colleague’s lesson', async () => {
    const chen = await createUser(srv.db, {
      username: 'teacher-chen',
      displayName: '陈老师',
      role: 'teacher',
      schoolId: (await srv.user('teacher-wang')).schoolId,
    });
    const { createLesson } = await import('../../server/lessons/repo.js');
    const hers = await createLesson(srv.db, chen, {
      title: '陈老师的课',
      subject: '科学',
      grade: 4,
      hostClassroomId: srv.classrooms.host,
      receivingClassroomIds: [A, B],
      scheduledAt: new Date(Date.now() + 7200_000).toISOString(),
      durationMin: 40,
    });
    const wang = await srv.connect(await srv.cookieFor('teacher-wang'), 'wang-in-chen');
    expect((await wang.ok('lesson:join', { lessonId: hers.id })).self.lessonRole).toBe('observer');
    expect(await wang.errorCode('stage:set', { classroomId: A })).toBe('FORBIDDEN');
    expect(await wang.errorCode('lesson:start', {})).toBe('FORBIDDEN');
    expect(await wang.errorCode('transport:create', { direction: 'send' })).toBe('FORBIDDEN');
    const c = await srv.connect(await srv.cookieFor('teacher-chen'), 'chen');
    expect((await c.ok('lesson:join', { lessonId: hers.id })).self.lessonRole).toBe('teacher');
    expect(await c.ok('stage:set', { classroomId: B })).toBeNull();
    wang.close();
    c.close();
  });

  it('the teacher raises no hand and answers only for classrooms of the lesson', async () => {
    expect(await teacher.errorCode('hand:raise', {})).toBe('FORBIDDEN');
    const q = await teacher.ok('quiz:push', { kind: 'truefalse', question: '再问一次' });
    expect(await teacher.errorCode('quiz:answer', { quizId: q.id, classroomId: 'not-a-classroom', counts: [1, 2] })).toBe('BAD_REQUEST');
    expect((await teacher.ok('quiz:answer', { quizId: q.id, classroomId: A, counts: [1, 2] })).classroomId).toBe(A);
    // The teacher controls: the same events that were refused above are allowed.
    expect(await teacher.ok('stage:set', { classroomId: A })).toBeNull();
    expect(await teacher.ok('classroom:mute', { classroomId: A, muted: true })).toBeNull();
    expect((await teacher.ok('lesson:start', {})).state).toBe('live');
  });
});
