// Recording files and processing routes: every request checks the recording's visibility
// scope (participants / pairing / community); outsiders get 404, unauthenticated 401; ids from
// the URL never become paths (traversal refused); media answer Range requests; only the
// lesson's teacher or an admin may retry a failed job.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApiRouter, errorHandler } from '../../server/http/api.js';
import { recordingsRouter } from '../../server/recordings/routes.js';
import { RecordingProcessing } from '../../server/recordings/processing.js';
import { keys } from '../../server/recordings/planner.js';
import type { RecordingProgress } from '../../server/contract/recordings.js';
import { createUser } from '../../server/community/repo.js';
import { recPaths } from '../../server/contract/recordingPaths.js';
import { createQueues } from '../../server/jobs/queues.js';
import { startTestRedis } from '../helpers/redis.js';
import { DEMO_PASSWORD, get, login, otherCommunity, post, seededDb, type Demo } from './api.helpers.js';

let demo: Demo;
let redis: Awaited<ReturnType<typeof startTestRedis>>;
let queues: ReturnType<typeof createQueues>;
let dataDir: string;
let url: string;
let close: () => void;
let lessonId: string;
let trackId: string;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  [demo, redis] = await Promise.all([seededDb(), startTestRedis()]);
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'tongbu-recacc-'));
  queues = createQueues(redis.url, `t-${randomUUID()}`);
  const processing = new RecordingProcessing({ db: demo.db, queues: queues.recording, connection: queues.connection, prefix: queues.prefix, dataDir });
  const app = express();
  app.use(recordingsRouter({ db: demo.db, dataDir, processing }), errorHandler);
  app.use(createApiRouter({ db: demo.db, config: { secureCookies: false } }));
  const server = app.listen(0);
  await new Promise<void>((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => {
    server.closeAllConnections();
    server.close();
  };

  // A recorded lesson of 王老师 (city) with 青山 (rural) receiving; 石桥 is paired with the city school but not in it.
  const wang = await demo.user('teacher-wang');
  lessonId = randomUUID();
  await demo.db.query(
    `insert into lessons (id, community_id, title, subject, grade, teacher_id, host_classroom_id, scheduled_at, duration_min, state)
     select $1, community_id, '分数/回放', '数学', 4, $2, $3, now(), 40, 'ended' from users where id = $2`,
    [lessonId, wang.id, await demo.classroomId('四年级(1)班')],
  );
  await demo.db.query('insert into lesson_classrooms values ($1, $2)', [lessonId, await demo.classroomId('四年级')]);
  await demo.db.query(`insert into recordings (lesson_id, state, clock_zero, ended_at) values ($1, 'stopped', now() - interval '1 minute', now())`, [lessonId]);
  trackId = randomUUID();
  await demo.db.query(
    `insert into recording_tracks (id, lesson_id, kind, source, owner, label, codec, start_ms, end_ms) values ($1, $2, 'video', 'camera', 'teacher', 'cam', 'VP8', 0, 60000)`,
    [trackId, lessonId],
  );
  await demo.db.query(`insert into recording_segments values ($1, 1, 'x.webm', 0, 60000, 1, 'closed')`, [trackId]);
  const mp4 = path.join(dataDir, recPaths.compositeMp4(lessonId));
  mkdirSync(path.dirname(mp4), { recursive: true });
  writeFileSync(mp4, Buffer.alloc(10_000, 7));
  const seg = path.join(dataDir, recPaths.trackChunk(lessonId, trackId, 1));
  mkdirSync(path.dirname(seg), { recursive: true });
  writeFileSync(seg, Buffer.alloc(3_000, 1));
  writeFileSync(path.join(dataDir, 'secret.txt'), 'not for you');
  await demo.db.query(
    `insert into recording_outputs (lesson_id, key, kind, state, path, meta) values
       ($1, $2, 'composite', 'done', $3, '{}'), ($1, $4, 'track', 'done', $5, '{"durationS": 60}'), ($1, $6, 'peaks', 'failed', null, '{}')`,
    [lessonId, keys.composite(lessonId), recPaths.compositeMp4(lessonId), keys.track(trackId, 1), recPaths.trackChunk(lessonId, trackId, 1), keys.peaks(lessonId)],
  );
  await demo.db.query(`update recording_outputs set track_id = $2, seq = 1 where key = $1`, [keys.track(trackId, 1), trackId]);

  const far = await otherCommunity(demo.db);
  void far;
  await createUser(demo.db, { username: 'qs-device', displayName: '青山教室', role: 'classroom', classroomId: await demo.classroomId('四年级'), communityId: (await demo.db.query<{ community_id: string }>('select community_id from users where id = $1', [wang.id]))[0].community_id, password: DEMO_PASSWORD });
  for (const u of ['teacher-wang', 'researcher-zhao', 'qingshan-admin', 'teacher-li', 'shiqiao-admin', 'far-teacher', 'far-admin', 'qs-device', 'admin']) cookies[u] = await login(url, u);
});
afterAll(async () => {
  close?.();
  await queues?.close();
  await redis?.stop();
  await demo?.db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const file = () => `/api/recordings/${lessonId}/files/composite.mp4`;
const setVisibility = (v: string) => demo.db.query('update recordings set visibility = $2 where lesson_id = $1', [lessonId, v]);

describe('visibility scope on every file request', () => {
  it('participants: the teacher, the schools in the lesson, the community researchers; nobody else', async () => {
    await setVisibility('participants');
    for (const u of ['teacher-wang', 'researcher-zhao', 'qingshan-admin', 'teacher-li', 'admin']) expect([u, (await get(url, file(), cookies[u])).status]).toEqual([u, 200]);
    for (const u of ['shiqiao-admin', 'far-teacher', 'far-admin', 'qs-device']) expect([u, (await get(url, file(), cookies[u])).status]).toEqual([u, 404]);
    expect((await get(url, file())).status).toBe(401);
  });

  it('pairing adds the paired schools; community adds the whole community, never another one or a projector', async () => {
    await setVisibility('pairing');
    expect((await get(url, file(), cookies['shiqiao-admin'])).status).toBe(200);
    expect((await get(url, file(), cookies['far-admin'])).status).toBe(404);
    await setVisibility('community');
    expect((await get(url, file(), cookies['far-teacher'])).status).toBe(404);
    expect((await get(url, file(), cookies['qs-device'])).status).toBe(404);
    // The scope is read on every request: narrowing it takes effect at once.
    await setVisibility('participants');
    expect((await get(url, file(), cookies['shiqiao-admin'])).status).toBe(404);
    expect((await get(url, `/api/recordings/${lessonId}/files/tracks/${trackId}/seg-00001.ts`, cookies['shiqiao-admin'])).status).toBe(404);
    expect((await get(url, `/api/recordings/${lessonId}/files/tracks/${trackId}/index.m3u8`, cookies['far-teacher'])).status).toBe(404);
    expect((await get(url, `/api/recordings/${lessonId}/files/tracks/${trackId}/track.webm`, cookies['far-teacher'])).status).toBe(404);
  });

  it('the list and the replay info follow the same scope', async () => {
    const mine = (await (await get(url, '/api/recordings', cookies['teacher-li'])).json()) as { recordings: { lessonId: string }[] };
    expect(mine.recordings.map((r) => r.lessonId)).toContain(lessonId);
    const theirs = (await (await get(url, '/api/recordings', cookies['shiqiao-admin'])).json()) as { recordings: { lessonId: string }[] };
    expect(theirs.recordings.map((r) => r.lessonId)).not.toContain(lessonId);
    expect((await get(url, `/api/recordings/${lessonId}`, cookies['far-teacher'])).status).toBe(404);
    const r = await get(url, `/api/recordings/${lessonId}`, cookies['researcher-zhao']);
    expect(r.status).toBe(200);
    const body = (await r.json()) as { replay: { tracks: { playlistUrl: string }[]; composite: { downloadUrl: string } } };
    expect(body.replay.tracks[0].playlistUrl).toBe(`/api/recordings/${lessonId}/files/tracks/${trackId}/index.m3u8`);
    expect(body.replay.composite.downloadUrl).toBe(`${file()}?download=1`);
  });
});

it('refuses path traversal and unknown files; never serves the data folder', async () => {
  const c = cookies['teacher-wang'];
  for (const p of [
    `/api/recordings/${lessonId}/files/..%2F..%2Fsecret.txt`,
    `/api/recordings/${lessonId}/files/tracks/${trackId}/..%2F..%2F..%2F..%2Fsecret.txt`,
    `/api/recordings/${lessonId}/files/tracks/..%2F..%2F..%2Fsecret.txt/seg-00001.ts`,
    `/api/recordings/..%2F..%2Fsecret.txt/files/composite.mp4`,
    `/api/recordings/${lessonId}/files/composite/..%2F..%2F..%2F..%2Fsecret.txt`,
    `/api/recordings/${lessonId}/files/tracks/${trackId}/seg-00002.ts`,
    `/api/recordings/${lessonId}/files/peaks.json`, // failed: not there
    `/recordings/${lessonId}/out/composite.mp4`,
  ]) {
    const res = await get(url, p, c);
    expect([p, [400, 404].includes(res.status)]).toEqual([p, true]);
    expect(await res.text()).not.toContain('not for you');
  }
});

it('serves media with Range and the MP4 as a download', async () => {
  const c = cookies['researcher-zhao'];
  const part = await fetch(url + file(), { headers: { cookie: c, range: 'bytes=100-199' } });
  expect(part.status).toBe(206);
  expect(part.headers.get('content-range')).toBe('bytes 100-199/10000');
  expect((await part.arrayBuffer()).byteLength).toBe(100);
  expect(part.headers.get('content-type')).toBe('video/mp4');
  expect(part.headers.get('cache-control')).toContain('no-store');
  const dl = await get(url, `${file()}?download=1`, c);
  expect(dl.headers.get('content-disposition')).toMatch(/^attachment;.*filename\*=UTF-8''%E5%88%86%E6%95%B0_%E5%9B%9E%E6%94%BE\.mp4/);
  const pl = await get(url, `/api/recordings/${lessonId}/files/tracks/${trackId}/index.m3u8`, c);
  expect(pl.headers.get('content-type')).toContain('mpegurl');
  expect(await pl.text()).toBe(['#EXTM3U', '#EXT-X-VERSION:8', '#EXT-X-TARGETDURATION:60', '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VOD', '#EXTINF:60.000,', 'seg-00001.ts', '#EXT-X-ENDLIST', ''].join('\n'));
});

it('retry: the teacher may, a researcher may not, an outsider does not see it; only failed jobs', async () => {
  const retry = (key: string, u?: string) => post(url, `/api/recordings/${lessonId}/jobs/${key}/retry`, undefined, u && cookies[u]);
  expect((await retry(keys.peaks(lessonId), 'researcher-zhao')).status).toBe(403);
  expect((await retry(keys.peaks(lessonId), 'far-admin')).status).toBe(404);
  expect((await retry(keys.peaks(lessonId))).status).toBe(401);
  expect((await retry(keys.composite(lessonId), 'teacher-wang')).status).toBe(409);
  expect((await retry('bad:key', 'teacher-wang')).status).toBe(400);
  expect((await retry(keys.peaks(lessonId), 'teacher-wang')).status).toBe(204);
  const rows = await demo.db.query<{ state: string }>('select state from recording_outputs where lesson_id = $1 and key = $2', [lessonId, keys.peaks(lessonId)]);
  expect(rows.map((r) => r.state)).toEqual(['queued']); // queued again (the composite is done, so peaks are planned anew)
});

describe('the recordings list', () => {
  it('costs the same number of queries for one recording as for six, and each lesson keeps its own figures', async () => {
    const count = async () => {
      const spy = vi.spyOn(demo.db, 'query');
      try {
        const body = (await (await get(url, '/api/recordings', cookies['teacher-wang'])).json()) as { recordings: RecordingProgress[] };
        return { queries: spy.mock.calls.length, body };
      } finally {
        spy.mockRestore();
      }
    };
    const one = await count();
    const wang = await demo.user('teacher-wang');
    const more: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = randomUUID();
      more.push(id);
      await demo.db.query(
        `insert into lessons (id, community_id, title, subject, grade, teacher_id, host_classroom_id, scheduled_at, duration_min, state)
         select $1, community_id, $3, '数学', 4, $2, $4, now(), 40, 'ended' from users where id = $2`,
        [id, wang.id, `列表 ${i}`, await demo.classroomId('四年级(1)班')],
      );
      await demo.db.query(`insert into recordings (lesson_id, state, clock_zero, ended_at) values ($1, 'stopped', now() - interval '2 minutes', now())`, [id]);
      const t = randomUUID();
      await demo.db.query(
        `insert into recording_tracks (id, lesson_id, kind, source, owner, label, codec, start_ms, end_ms) values ($1, $2, 'audio', 'mic', 'teacher', 'mic', 'opus', 0, 8000)`,
        [t, id],
      );
      for (let seq = 1; seq <= i + 1; seq++) await demo.db.query(`insert into recording_segments values ($1, $2, 'x.webm', $3, $4, 1, 'closed')`, [t, seq, (seq - 1) * 4000, seq * 4000]);
    }
    const six = await count();
    expect(six.body.recordings.map((r) => r.lessonId)).toEqual(expect.arrayContaining([lessonId, ...more]));
    expect(six.queries).toBe(one.queries);
    for (const [i, id] of more.entries()) {
      const p = six.body.recordings.find((r) => r.lessonId === id)!;
      expect([p.title, p.segments.total]).toEqual([`列表 ${i}`, i + 1]);
    }
    expect(six.body.recordings.find((r) => r.lessonId === lessonId)).toMatchObject({ title: '分数/回放', segments: { total: 1 } });
  });
});
