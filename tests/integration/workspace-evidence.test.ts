// Offline activities with evidence files (issue 12) on the real database, the real file system
// and real ffmpeg: uploads checked by their bytes and limited in size, thumbnails, the headers
// files are served with, who reaches what, and the files' life with their activity.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { mkdir, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBureau } from '../../server/workspace/orgRepo.js';
import { createCommunity, createSchool, createUser } from '../../server/community/repo.js';
import { setCommunityOrg } from '../../server/workspace/orgRepo.js';
import type { WorkspaceActivity, EvidenceFile } from '../../server/contract/workspace/activities.js';
import { DEMO_PASSWORD, login, seededDb, type Demo, type Server } from './api.helpers.js';
import { docxOfParagraphs, zipOf } from '../helpers/zipBomb.js';
import { ffmpegImage, probeSize, send, startActivitiesApi, tempDir, upload } from './workspace-evidence.helpers.js';
import { sweepStaleParts } from '../../server/workspace/evidenceStore.js';

const LIMIT = 512 * 1024;
let demo: Demo;
let api: Server;
let dataDir: string;
let fixtures: string;
let jpeg: Buffer;
let png: Buffer;
let cookies: Record<'cityAdmin' | 'li' | 'admin' | 'reviewer' | 'farReviewer' | 'researcher', string>;
let city: string;
let pairingId: string;

beforeAll(async () => {
  demo = await seededDb();
  dataDir = await tempDir('tongbu-evidence-');
  fixtures = await tempDir('tongbu-evidence-fixtures-');
  api = await startActivitiesApi(demo.db, dataDir, { evidenceBytesMax: LIMIT });
  [jpeg, png] = await Promise.all([ffmpegImage(fixtures, 'photo.jpg', '1280x720'), ffmpegImage(fixtures, 'sheet.png', '200x100')]);
  city = await demo.schoolId('滨江实验小学');
  const qingshan = await demo.schoolId('青山村小学');
  pairingId = (await demo.db.query<{ id: string }>('select id from pairings where city_school_id = $1 and rural_school_id = $2', [city, qingshan]))[0].id;
  // A reviewer of another bureau, over another community.
  const far = await createBureau(demo.db, { name: '远山县教育局' });
  const farCommunity = await createCommunity(demo.db, { name: '远山教共体' });
  await setCommunityOrg(demo.db, farCommunity.id, { bureauId: far.id });
  await createSchool(demo.db, { communityId: farCommunity.id, name: '远山小学', kind: 'city' });
  await createUser(demo.db, { username: 'far-reviewer', displayName: '远山审核员', role: 'bureau_reviewer', bureauId: far.id, password: DEMO_PASSWORD });
  cookies = {
    cityAdmin: await login(api.url, 'city-admin'),
    li: await login(api.url, 'teacher-li'), // a teacher of 青山村小学: same community, another school
    admin: await login(api.url, 'admin'),
    reviewer: await login(api.url, 'bureau-li'),
    farReviewer: await login(api.url, 'far-reviewer'),
    researcher: await login(api.url, 'researcher-zhao'),
  };
});
afterAll(async () => {
  await api?.close();
  await demo?.db.close();
  await Promise.all([dataDir, fixtures].filter(Boolean).map((d) => rm(d, { recursive: true, force: true })));
});

async function newActivity(cookie = cookies.cityAdmin, over: Record<string, unknown> = {}): Promise<WorkspaceActivity> {
  const res = await send(api.url, 'POST', `/api/workspace/schools/${city}/activities`, cookie, {
    kind: 'send_teaching',
    day: '2026-03-18',
    place: '青山村小学 四年级教室',
    people: ['王老师', '四年级(1)班 32 人'],
    description: '送教下乡：数学《分数的初步认识》示范课',
    subject: '数学',
    pairingId,
    ...over,
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { activity: WorkspaceActivity }).activity;
}

async function uploaded(activityId: string, name: string, body: Buffer, cookie = cookies.cityAdmin): Promise<EvidenceFile> {
  const res = await upload(api.url, activityId, name, body, cookie);
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { evidence: EvidenceFile }).evidence;
}

/** What is on disk for an activity (empty when its folder is gone). */
const filesOf = async (activityId: string) => (existsSync(path.join(dataDir, 'evidence', activityId)) ? (await readdir(path.join(dataDir, 'evidence', activityId))).sort() : []);
const rowsOf = async (activityId: string) => (await demo.db.query('select id from evidence_files where activity_id = $1', [activityId])).length;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('evidence uploads', () => {
  it('stores a real JPEG and PNG under ids with a thumbnail of at most 320 px, checksummed', async () => {
    const a = await newActivity();
    const photo = await uploaded(a.id, '送教现场.JPG', jpeg);
    const sheet = await uploaded(a.id, 'sign-in.png', png);
    expect(photo).toMatchObject({ type: 'jpeg', originalName: '送教现场.JPG', sizeBytes: jpeg.length, sha256: sha(jpeg), hasThumbnail: true });
    expect(sheet).toMatchObject({ type: 'png', sizeBytes: png.length, sha256: sha(png), hasThumbnail: true });
    // On disk by id and real type, never by the uploaded name; no parts left behind.
    expect(await filesOf(a.id)).toEqual([`${photo.id}.jpg`, `${photo.id}.thumb.jpg`, `${sheet.id}.png`, `${sheet.id}.thumb.jpg`].sort());
    expect(sha(await readFile(path.join(dataDir, 'evidence', a.id, `${photo.id}.jpg`)))).toBe(sha(jpeg));
    expect(await probeSize(path.join(dataDir, 'evidence', a.id, `${photo.id}.thumb.jpg`))).toEqual({ width: 320, height: 180 });
    // A small image is not blown up.
    expect(await probeSize(path.join(dataDir, 'evidence', a.id, `${sheet.id}.thumb.jpg`))).toEqual({ width: 200, height: 100 });

    const thumb = await send(api.url, 'GET', `/api/workspace/evidence/${photo.id}/thumb`, cookies.cityAdmin);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
    const thumbBytes = Buffer.from(await thumb.arrayBuffer());
    expect(thumbBytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));

    const listed = (await (await send(api.url, 'GET', `/api/workspace/activities?pairingId=${pairingId}`, cookies.cityAdmin)).json()) as { activities: WorkspaceActivity[] };
    expect(listed.activities.find((x) => x.id === a.id)?.evidence.map((e) => e.id)).toEqual([photo.id, sheet.id]);
  });

  it('serves files with the checked type only, nosniff, a sandbox, and documents as attachments', async () => {
    const a = await newActivity();
    const photo = await uploaded(a.id, 'photo.html', jpeg); // the name lies; the bytes decide
    const pdf = await uploaded(a.id, '签到表.pdf', Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'));
    const docx = await uploaded(a.id, '活动方案.docx', await docxOfParagraphs(4000));
    expect([photo.type, pdf.type, docx.type]).toEqual(['jpeg', 'pdf', 'docx']);

    const img = await send(api.url, 'GET', `/api/workspace/evidence/${photo.id}/file`, cookies.cityAdmin);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/jpeg');
    expect(img.headers.get('x-content-type-options')).toBe('nosniff');
    expect(img.headers.get('content-security-policy')).toMatch(/^sandbox/);
    expect(img.headers.get('content-disposition')).toMatch(/^inline; filename="photo\.jpg"/);
    expect(sha(Buffer.from(await img.arrayBuffer()))).toBe(sha(jpeg));

    const doc = await send(api.url, 'GET', `/api/workspace/evidence/${pdf.id}/file`, cookies.cityAdmin);
    expect(doc.headers.get('content-type')).toBe('application/pdf');
    expect(doc.headers.get('x-content-type-options')).toBe('nosniff');
    expect(doc.headers.get('content-disposition')).toMatch(/^attachment; filename="___\.pdf"; filename\*=UTF-8''%E7%AD%BE%E5%88%B0%E8%A1%A8\.pdf$/);
    const word = await send(api.url, 'GET', `/api/workspace/evidence/${docx.id}/file`, cookies.cityAdmin);
    expect(word.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(word.headers.get('content-disposition')).toMatch(/^attachment;/);
    // Documents have no thumbnail.
    expect((await send(api.url, 'GET', `/api/workspace/evidence/${pdf.id}/thumb`, cookies.cityAdmin)).status).toBe(404);
  });

  it('refuses HTML, SVG, an executable, a plain zip and a damaged image named .jpg, and keeps nothing of them', async () => {
    const a = await newActivity();
    const liars: [string, Buffer][] = [
      ['photo.jpg', Buffer.from('<!doctype html><html><script>alert(document.cookie)</script></html>')],
      ['photo.jpg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>')],
      ['photo.jpg', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(510, 0x90)])],
      ['report.docx', await zipOf([{ name: 'hello.txt', size: 100 }])],
      // JPEG's magic bytes with nothing decodable behind them.
      ['photo.jpg', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 0x41)])],
    ];
    for (const [name, body] of liars) {
      const res = await upload(api.url, a.id, name, body, cookies.cityAdmin);
      expect(res.status, body.subarray(0, 20).toString()).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BAD_REQUEST');
    }
    expect(await filesOf(a.id)).toEqual([]);
    expect(await rowsOf(a.id)).toBe(0);
  });

  it('refuses an oversize file, declared or streamed, without storing it', async () => {
    const a = await newActivity();
    const big = Buffer.alloc(LIMIT + 1, 0xff);
    big.set([0xff, 0xd8, 0xff], 0);
    const declared = await upload(api.url, a.id, 'big.jpg', big, cookies.cityAdmin);
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: { code: string } }).error.code).toBe('TOO_LARGE');

    // No Content-Length: chunks until the limit is passed, 4 × the limit in all.
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 4 * LIMIT) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const streamed = await upload(api.url, a.id, 'big.pdf', stream, cookies.cityAdmin);
    expect(streamed.status).toBe(413);
    expect(await filesOf(a.id)).toEqual([]);
    expect(await rowsOf(a.id)).toBe(0);
    // The server is fine afterwards.
    await uploaded(a.id, 'ok.png', png);
  });

  it('answers a refused upload before its body is sent: authorised (and its declared size checked) first', async () => {
    const a = await newActivity();
    /** Sends the headers of a 100 MB upload and none of its body; resolves with the status the server answers. */
    const headersOnly = (cookie: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request(`${api.url}/api/workspace/activities/${a.id}/evidence?name=big.jpg`, {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/octet-stream', 'content-length': String(100 * 1024 * 1024) },
        });
        req.on('response', (r) => {
          resolve(r.statusCode ?? 0);
          r.resume();
          req.destroy();
        });
        req.on('error', (err) => (err.message.includes('socket hang up') ? undefined : reject(err)));
        req.flushHeaders();
      });
    expect(await headersOnly(cookies.li)).toBe(403);
    expect(await headersOnly(cookies.farReviewer)).toBe(404);
    expect(await headersOnly(cookies.cityAdmin)).toBe(413);
    expect(await filesOf(a.id)).toEqual([]);
  });

  it('refuses uploads while the data folder is nearly full, before reading them', async () => {
    const a = await newActivity();
    const full = await startActivitiesApi(demo.db, dataDir, { minFreeBytes: Number.MAX_SAFE_INTEGER });
    try {
      const res = await upload(full.url, a.id, 'p.jpg', jpeg, cookies.cityAdmin);
      expect(res.status).toBe(503);
      expect(await filesOf(a.id)).toEqual([]);
    } finally {
      await full.close();
    }
  });

  it('sweeps parts an interrupted process left behind, not ones being received', async () => {
    const dir = path.join(dataDir, 'evidence', 'crashed-activity');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'old.part'), 'x');
    await writeFile(path.join(dir, 'new.part'), 'x');
    await writeFile(path.join(dir, 'kept.jpg'), 'x');
    const hourAgo = new Date(Date.now() - 2 * 3600_000);
    await utimes(path.join(dir, 'old.part'), hourAgo, hourAgo);
    await utimes(path.join(dir, 'kept.jpg'), hourAgo, hourAgo);
    expect(await sweepStaleParts(dataDir)).toBe(1);
    expect((await readdir(dir)).sort()).toEqual(['kept.jpg', 'new.part']);
    await rm(dir, { recursive: true });
  });
});

describe('who reaches an activity and its files', () => {
  it('a reviewer of another bureau gets NOT_FOUND; a teacher of another school FORBIDDEN; neither stores a byte', async () => {
    const a = await newActivity();
    const e = await uploaded(a.id, 'photo.jpg', jpeg);
    expect((await send(api.url, 'POST', `/api/workspace/activities/${a.id}/submit`, cookies.cityAdmin)).status).toBe(200);

    for (const p of [`/api/workspace/activities/${a.id}`, `/api/workspace/evidence/${e.id}/file`, `/api/workspace/evidence/${e.id}/thumb`]) {
      expect((await send(api.url, 'GET', p, cookies.farReviewer)).status, p).toBe(404);
      expect((await send(api.url, 'GET', p, cookies.li)).status, p).toBe(403);
    }
    expect((await send(api.url, 'POST', `/api/workspace/activities/${a.id}/review`, cookies.farReviewer, { decision: 'accept' })).status).toBe(404);
    expect((await upload(api.url, a.id, 'x.jpg', jpeg, cookies.farReviewer)).status).toBe(404);
    expect((await upload(api.url, a.id, 'x.jpg', jpeg, cookies.li)).status).toBe(403);
    expect((await send(api.url, 'POST', `/api/workspace/activities/${a.id}`, cookies.li, { place: '别处' })).status).toBe(403);
    expect((await send(api.url, 'POST', `/api/workspace/schools/${city}/activities`, cookies.li, { kind: 'teacher_visit', day: '2026-03-01', place: 'x' })).status).toBe(403);
    // 青山's teacher does not see 滨江's activities in the pairing they share.
    const li = (await (await send(api.url, 'GET', `/api/workspace/activities?pairingId=${pairingId}`, cookies.li)).json()) as { activities: WorkspaceActivity[] };
    expect(li.activities.some((x) => x.schoolId === city)).toBe(false);
    expect(await filesOf(a.id)).toEqual([`${e.id}.jpg`, `${e.id}.thumb.jpg`].sort());
  });

  it('the community admin reads and changes any school’s activities; a researcher only reads', async () => {
    const a = await newActivity();
    const e = await uploaded(a.id, 'p.jpg', jpeg, cookies.admin);
    expect((await send(api.url, 'POST', `/api/workspace/activities/${a.id}`, cookies.admin, { place: '青山村小学 操场' })).status).toBe(200);
    expect((await send(api.url, 'GET', `/api/workspace/activities/${a.id}`, cookies.researcher)).status).toBe(200);
    expect((await send(api.url, 'GET', `/api/workspace/evidence/${e.id}/thumb`, cookies.researcher)).status).toBe(200);
    expect((await send(api.url, 'POST', `/api/workspace/activities/${a.id}`, cookies.researcher, { place: 'x' })).status).toBe(403);
    expect((await upload(api.url, a.id, 'x.png', png, cookies.researcher)).status).toBe(403);
    expect((await send(api.url, 'DELETE', `/api/workspace/evidence/${e.id}`, cookies.researcher)).status).toBe(403);
    // A teacher of another school cannot take the activity's evidence away either.
    expect((await send(api.url, 'DELETE', `/api/workspace/evidence/${e.id}`, cookies.li)).status).toBe(403);
    expect(await rowsOf(a.id)).toBe(1);
  });

  it('a reviewer reads and checks but never edits, and does not see drafts', async () => {
    const draft = await newActivity();
    expect((await send(api.url, 'GET', `/api/workspace/activities/${draft.id}`, cookies.reviewer)).status).toBe(404);
    const queue = (await (await send(api.url, 'GET', '/api/workspace/review?status=submitted', cookies.reviewer)).json()) as { activities: WorkspaceActivity[] };
    expect(queue.activities.some((x) => x.id === draft.id)).toBe(false);

    await uploaded(draft.id, 'p.jpg', jpeg);
    expect((await send(api.url, 'POST', `/api/workspace/activities/${draft.id}/submit`, cookies.cityAdmin)).status).toBe(200);
    expect((await send(api.url, 'GET', `/api/workspace/activities/${draft.id}`, cookies.reviewer)).status).toBe(200);
    expect((await send(api.url, 'POST', `/api/workspace/activities/${draft.id}`, cookies.reviewer, { place: '改过' })).status).toBe(403);
    // Submitted: the school waits for the check.
    expect((await send(api.url, 'POST', `/api/workspace/activities/${draft.id}`, cookies.cityAdmin, { place: '改过' })).status).toBe(409);
    expect((await send(api.url, 'POST', `/api/workspace/activities/${draft.id}/review`, cookies.reviewer, { decision: 'return', comment: '请补充签到表' })).status).toBe(200);
    // Returned: the school may edit; the reviewer still may not.
    expect((await send(api.url, 'POST', `/api/workspace/activities/${draft.id}`, cookies.reviewer, { place: '改过' })).status).toBe(403);
    expect((await upload(api.url, draft.id, 'x.png', png, cookies.reviewer)).status).toBe(403);
    expect((await send(api.url, 'DELETE', `/api/workspace/activities/${draft.id}`, cookies.reviewer)).status).toBe(403);
    expect((await send(api.url, 'POST', `/api/workspace/schools/${city}/activities`, cookies.reviewer, { kind: 'teacher_visit', day: '2026-03-01', place: 'x' })).status).toBe(403);
    // Only reviewers check.
    expect((await send(api.url, 'GET', '/api/workspace/review', cookies.admin)).status).toBe(403);
  });
});

describe('an activity’s files live and die with it', () => {
  it('deleting the activity removes its files and rows', async () => {
    const a = await newActivity();
    await uploaded(a.id, 'p.jpg', jpeg);
    await uploaded(a.id, 's.png', png);
    expect(await filesOf(a.id)).toHaveLength(4);
    expect((await send(api.url, 'DELETE', `/api/workspace/activities/${a.id}`, cookies.cityAdmin)).status).toBe(204);
    expect(existsSync(path.join(dataDir, 'evidence', a.id))).toBe(false);
    expect(await rowsOf(a.id)).toBe(0);
    expect((await send(api.url, 'GET', `/api/workspace/activities/${a.id}`, cookies.cityAdmin)).status).toBe(404);
  });

  it('removing one file removes it from disk; a file missing from storage answers NOT_FOUND', async () => {
    const a = await newActivity();
    const keep = await uploaded(a.id, 'p.jpg', jpeg);
    const drop = await uploaded(a.id, 's.png', png);
    expect((await send(api.url, 'DELETE', `/api/workspace/evidence/${drop.id}`, cookies.cityAdmin)).status).toBe(204);
    expect(await filesOf(a.id)).toEqual([`${keep.id}.jpg`, `${keep.id}.thumb.jpg`].sort());
    await writeFile(path.join(dataDir, 'evidence', a.id, `${keep.id}.jpg`), ''); // still there: served
    expect((await send(api.url, 'GET', `/api/workspace/evidence/${keep.id}/file`, cookies.cityAdmin)).status).toBe(200);
    await rm(path.join(dataDir, 'evidence', a.id, `${keep.id}.jpg`));
    expect((await send(api.url, 'GET', `/api/workspace/evidence/${keep.id}/file`, cookies.cityAdmin)).status).toBe(404);
  });
});
