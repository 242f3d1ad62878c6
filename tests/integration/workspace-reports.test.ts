// The yearly reports and usage statistics (issue 12) through the HTTP app on the real database:
// usage counted from real requests (人 vs 人次), the four exports read back (.docx's XML, the
// .xlsx with exceljs, the PDF's pages, the .zip's index against its entries), the report builder
// with sources as the other slices will give them, and who may ask for what.
import type { AddressInfo } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import express from 'express';
import ExcelJS from 'exceljs';
import yauzl from 'yauzl';
import mammoth from 'mammoth';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublicUser } from '../../server/contract/domain.js';
import { schoolDayOf } from '../../server/contract/time.js';
import { targetSchema } from '../../server/contract/workspace/targets.js';
import type { UsageReport } from '../../server/contract/workspace/usage.js';
import { createApiRouter } from '../../server/http/api.js';
import { createSession } from '../../server/auth/sessions.js';
import { createUser } from '../../server/community/repo.js';
import { usageMiddleware, usageRecorder, recordLessonJoin, UsageRecorder } from '../../server/workspace/usageRecorder.js';
import { buildReport } from '../../server/workspace/report/build.js';
import { evidencePack } from '../../server/workspace/report/evidencePack.js';
import { emptySources, type ReportSources } from '../../server/workspace/report/sources.js';
import { reportXlsx } from '../../server/workspace/report/xlsx.js';
import { login, otherCommunity, seededDb, type Demo } from './api.helpers.js';
import { LessonScript, MIN } from './workspace-report.helpers.js';

const PC = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0';
const PHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148';
const YEAR = 2026;

let demo: Demo;
let server: HttpServer;
let url: string;
let ids: { community: string; bureau: string; qingshanPairing: string; shiqiaoPairing: string };
let cookies: Record<'admin' | 'wang' | 'li' | 'reviewer' | 'qingshanAdmin' | 'shiqiaoAdmin' | 'farAdmin' | 'device', string>;
let wang: PublicUser;
let device: PublicUser;

const fetchAs = (path: string, cookie: string, ua = PC) => fetch(url + path, { headers: { cookie, 'user-agent': ua } });

async function bytesOf(res: Response): Promise<Buffer> {
  expect(res.status, await res.clone().text().catch(() => '')).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

/** Every entry of a zip: name → bytes (yauzl, as the product's own zip reading). */
function unzip(buf: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

const streamBytes = (s: NodeJS.ReadableStream) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => resolve(Buffer.concat(chunks)));
    s.on('error', reject);
  });

/** The index.csv's rows (BOM, CRLF, first column the path; no commas in our paths). */
const indexPaths = (csv: Buffer) =>
  csv
    .toString('utf8')
    .replace(/^\ufeff/, '')
    .split('\r\n')
    .slice(1)
    .filter(Boolean)
    .map((line) => line.split(',')[0].replace(/^"|"$/g, ''));

beforeAll(async () => {
  demo = await seededDb();
  const app = express();
  // As server/app.ts mounts them: the usage counter before every module's routes.
  app.use(usageMiddleware(demo.db));
  app.use(createApiRouter({ db: demo.db, config: { secureCookies: false } }));
  server = app.listen(0);
  await new Promise<void>((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const far = await otherCommunity(demo.db);
  wang = await demo.user('teacher-wang');
  const rooms = { city: await demo.classroomId('四年级(1)班'), qingshan: await demo.classroomId('四年级'), shiqiao: await demo.classroomId('四年级(2)班') };
  device = await createUser(demo.db, { username: 'qingshan-projector', displayName: '青山投影', role: 'classroom', classroomId: rooms.qingshan });
  const pairingRows = await demo.db.query<{ id: string; name: string }>(
    'select p.id, s.name from pairings p join schools s on s.id = p.rural_school_id where p.community_id = (select community_id from schools where id = p.city_school_id)',
  );
  const community = (await demo.db.query<{ id: string; bureau_id: string }>("select id, bureau_id from communities where name = '滨江教共体'"))[0];
  ids = {
    community: community.id,
    bureau: community.bureau_id,
    qingshanPairing: pairingRows.find((p) => p.name === '青山村小学')!.id,
    shiqiaoPairing: pairingRows.find((p) => p.name === '石桥乡中心小学')!.id,
  };
  cookies = {
    admin: await login(url, 'admin'),
    wang: await login(url, 'teacher-wang'),
    li: await login(url, 'teacher-li'),
    reviewer: await login(url, 'bureau-li'),
    qingshanAdmin: await login(url, 'qingshan-admin'),
    shiqiaoAdmin: await login(url, 'shiqiao-admin'),
    farAdmin: await login(url, far.admin.username),
    device: `tongbu_session=${await createSession(demo.db, device.id, 3_600_000)}`,
  };

  // The year's lessons: one that counts with full participation, one the rural room left early, one of 石桥.
  const a = await LessonScript.held(demo.db, wang, { day: '2026-03-10', host: rooms.city, receiving: [rooms.qingshan], title: '分数的意义' });
  await a.present(rooms.city, -2, 40);
  await a.present(rooms.qingshan, 1, 38);
  await a.event('hand:raise', { classroomId: rooms.qingshan }, 5);
  await a.event('stage:on', { classroomId: rooms.qingshan }, 10);
  await a.event('stage:off', { classroomId: null }, 14);
  await a.quiz([rooms.qingshan], wang);
  await a.quiz([], wang);
  await a.voice([
    ['teacher', null, [[0, 30]]],
    ['classroom', rooms.qingshan, [[30, 36]]],
  ]);
  const b = await LessonScript.held(demo.db, wang, { day: '2026-04-02', host: rooms.city, receiving: [rooms.qingshan], title: '小数的加法' });
  await b.present(rooms.city, 0, 40);
  await b.present(rooms.qingshan, 10, 15);
  const c = await LessonScript.held(demo.db, wang, { day: '2026-05-06', host: rooms.city, receiving: [rooms.shiqiao], title: '面积' });
  await c.present(rooms.city, 0, 40);
  await c.present(rooms.shiqiao, 0, 40);
}, 60_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await demo?.db.close();
});

describe('usage statistics', () => {
  it('counts 人 (distinct people) and 人次 (visits) from real requests, by module, role and terminal', async () => {
    const month = schoolDayOf(new Date()).day.slice(0, 7);
    // 王老师 on the PC three times (one visit) and on the phone (another); 李老师 on the PC; the projector.
    for (let i = 0; i < 3; i++) expect((await fetchAs('/api/lessons', cookies.wang)).status).toBe(200);
    expect((await fetchAs('/api/lessons', cookies.wang, PHONE)).status).toBe(200);
    expect((await fetchAs('/api/lessons', cookies.li)).status).toBe(200);
    expect((await fetchAs('/api/lessons', cookies.device, PHONE)).status).toBe(200);
    // The projector joins a live lesson: the same visit (within 30 minutes on the same terminal).
    recordLessonJoin(demo.db, device, PHONE);
    // A failed request is no use of the module.
    expect((await fetchAs('/api/lessons/no-such-lesson', cookies.li)).status).toBe(404);
    await usageRecorder(demo.db).flush();

    const usage = async (q: string, cookie = cookies.admin) => {
      const res = await fetchAs(`/api/workspace/usage?${q}`, cookie);
      expect(res.status).toBe(200);
      return (await res.json()) as UsageReport;
    };
    const sync = (u: UsageReport) => u.byMonthModule.find((r) => r.month === month && r.module === 'sync_lesson');
    const all = await usage(`communityId=${ids.community}&year=${month.slice(0, 4)}`);
    expect(sync(all)).toMatchObject({ people: 3, visits: 4 });
    expect(all.byMonthTerminal.filter((r) => r.month === month && r.terminal !== undefined).map((r) => [r.terminal, r.people, r.visits])).toEqual(
      expect.arrayContaining([
        ['projector', 1, 1],
        ['mobile', 1, 1],
      ]),
    );
    expect(all.byMonthRole.find((r) => r.month === month && r.role === 'teacher')).toMatchObject({ people: 2, visits: 3 });
    expect(all.byMonthRole.find((r) => r.month === month && r.role === 'classroom')).toMatchObject({ people: 1, visits: 1 });
    const qingshanRow = all.byMonthSchool.find((r) => r.month === month && r.schoolName === '青山村小学');
    expect(qingshanRow).toMatchObject({ people: 2 }); // 李老师 and the projector (both 青山); the admins' sign-ins are no module
    expect(sync(await usage(`communityId=${ids.community}&year=${month.slice(0, 4)}&terminal=pc`))).toMatchObject({ people: 2, visits: 2 });
    expect(sync(await usage(`communityId=${ids.community}&year=${month.slice(0, 4)}&role=teacher&terminal=mobile`))).toMatchObject({ people: 1, visits: 1 });
    // The bureau's reviewer sees the same through the bureau.
    expect(sync(await usage(`bureauId=${ids.bureau}&year=${month.slice(0, 4)}`, cookies.reviewer))).toMatchObject({ people: 3, visits: 4 });
  });

  it('starts a new visit after 30 minutes away and on a new day, and people stay distinct across them', async () => {
    const qian = await demo.user('researcher-qian');
    const r = new UsageRecorder(demo.db);
    const t0 = Date.parse('2026-01-05T02:00:00Z'); // 10:00 Shanghai
    // The gap slides: 10:35 is 25 minutes after 10:10 (the same visit), 11:10 is 35 minutes after it (a new one).
    const times = [t0, t0 + 10 * MIN, t0 + 35 * MIN, t0 + 70 * MIN, t0 + 24 * 60 * MIN];
    expect(times.map((t) => r.visit(qian.id, 'recording', 'pc', t))).toEqual([true, false, false, true, true]);
    await r.flush();
    const res = await fetchAs(`/api/workspace/usage?communityId=${ids.community}&year=2026`, cookies.admin);
    const u = (await res.json()) as UsageReport;
    expect(u.byMonthModule.find((x) => x.month === '2026-01' && x.module === 'recording')).toMatchObject({ people: 1, visits: 3 });
  });

  it('is the community’s people’s and the bureau’s reviewers’ only', async () => {
    const q = `communityId=${ids.community}&year=2026`;
    expect((await fetchAs(`/api/workspace/usage?${q}`, cookies.farAdmin)).status).toBe(404);
    // The scope is checked before the rest of the query is read.
    expect((await fetchAs(`/api/workspace/usage?communityId=${ids.community}&year=nope`, cookies.farAdmin)).status).toBe(404);
    expect((await fetchAs(`/api/workspace/usage?communityId=${ids.community}&year=nope`, cookies.admin)).status).toBe(400);
    expect((await fetchAs(`/api/workspace/usage?${q}`, cookies.qingshanAdmin)).status).toBe(403);
    expect((await fetchAs(`/api/workspace/usage?${q}`, cookies.device)).status).toBe(403);
    expect((await fetchAs(`/api/workspace/usage?bureauId=${ids.bureau}&year=2026`, cookies.admin)).status).toBe(404);
    expect((await fetch(`${url}/api/workspace/usage?${q}`)).status).toBe(401);
  });
});

describe('the yearly report', () => {
  const participationRow = ['滨江实验小学 — 青山村小学', '青山村小学 四年级', 2, 2, 42, 1, 4, 1, 2, 50, 1, 15, 360];

  it('.xlsx: a sheet per table with the participation and attendance figures', async () => {
    const buf = await bytesOf(await fetchAs(`/api/workspace/pairings/${ids.qingshanPairing}/report.xlsx?year=${YEAR}`, cookies.qingshanAdmin));
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(buf as unknown as ArrayBuffer);
    expect(book.worksheets.map((w) => w.name)).toEqual(['summary', 'targets', 'activities', 'attendance', 'participation', 'participation_lessons', 'mentors', 'usage']);
    const values = (sheet: string) =>
      book
        .getWorksheet(sheet)!
        .getSheetValues()
        .slice(3)
        .filter(Boolean)
        .map((r) => (r as unknown[]).slice(1));
    expect(values('participation')).toEqual([participationRow]);
    // Two lessons × two classrooms; the first counted, the second not.
    expect(values('attendance').map((r) => [r[1], r[3], r[7], r[10]])).toEqual([
      ['2026-03-10', '滨江实验小学 四年级(1)班', 40, '是'],
      ['2026-03-10', '青山村小学 四年级', 37, '是'],
      ['2026-04-02', '滨江实验小学 四年级(1)班', 40, '否'],
      ['2026-04-02', '青山村小学 四年级', 5, '否'],
    ]);
    // Only the counted lesson is an activity; 石桥's is not this pairing's.
    expect(values('activities').map((r) => [r[1], r[2]])).toEqual([['2026-03-10', '同步课堂']]);
  });

  it('.docx: opens as a zip whose document names the schools and carries the same figures', async () => {
    const buf = await bytesOf(await fetchAs(`/api/workspace/pairings/${ids.qingshanPairing}/report.docx?year=${YEAR}`, cookies.admin));
    const files = await unzip(buf);
    const xml = files.get('word/document.xml')!.toString('utf8');
    for (const part of ['word/document.xml', 'word/styles.xml', '[Content_Types].xml', '_rels/.rels', 'docProps/core.xml']) {
      expect(XMLValidator.validate(files.get(part)!.toString('utf8')), part).toBe(true);
    }
    expect(xml).toContain('滨江实验小学');
    expect(xml).toContain('青山村小学');
    const texts = [...xml.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]);
    // The participation table's row, cell by cell.
    expect(texts.join('|')).toContain(participationRow.join('|'));
    // A .docx reader (mammoth, as the product's own upload) reads it as a document.
    const { value } = await mammoth.extractRawText({ buffer: buf });
    expect(value).toContain('2026 年度教共体捆绑考核报告：滨江实验小学 — 青山村小学');
    expect(value).toContain('分数的意义');
  });

  it('PDF: a PDF with pages', async () => {
    const buf = await bytesOf(await fetchAs(`/api/workspace/communities/${ids.community}/report.pdf?year=${YEAR}`, cookies.reviewer));
    expect(buf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect((buf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('.zip: the community’s evidence pack; its index lists every file it holds', async () => {
    const files = await unzip(await bytesOf(await fetchAs(`/api/workspace/communities/${ids.community}/report.zip?year=${YEAR}`, cookies.admin)));
    const listed = indexPaths(files.get('index.csv')!);
    const held = [...files.keys()].filter((n) => n !== 'index.csv' && n !== 'index.html');
    expect(listed.sort()).toEqual(held.sort());
    // The two lessons that counted (青山's in March, 石桥's in May), each with its attendance.
    expect(held.sort()).toEqual(['滨江实验小学 — 石桥乡中心小学/2026-05-06 同步课堂 面积/出勤记录.csv', '滨江实验小学 — 青山村小学/2026-03-10 同步课堂 分数的意义/出勤记录.csv']);
    expect(files.get('index.html')!.toString('utf8')).toContain('分数的意义');
  });

  it('takes targets, offline activities and evidence from its sources, and packs their files', async () => {
    const photo = Buffer.from('\xff\xd8\xff\xe0 a photo', 'latin1');
    const sources: ReportSources = {
      ...emptySources,
      pairingTargets: async (pairingIds) =>
        new Map(
          pairingIds.map((id) => [
            id,
            [
              targetSchema.parse({
                id: 't1',
                title: '同步课堂或送教下乡不少于10节',
                kinds: ['sync_lesson', 'send_teaching'],
                year: { from: '2026-01-01', to: '2026-12-31' },
                terms: [{ from: '2026-01-01', threshold: 10 }],
              }),
            ],
          ]),
        ),
      offlineActivities: async (pairingIds) =>
        new Map([
          [
            pairingIds[0],
            [
              {
                activity: {
                  id: 'off-1',
                  kind: 'send_teaching' as const,
                  day: '2026-04-20',
                  title: '送教下乡：分数复习课',
                  schoolName: '滨江实验小学',
                  status: 'accepted' as const,
                  links: [],
                  evidence: [{ id: 'ev-1', fileName: '现场.jpg', byteSize: photo.length, url: '/api/workspace/evidence/ev-1' }],
                },
                counted: { id: 'off-1', kind: 'send_teaching' as const, day: '2026-04-20' },
              },
            ],
          ],
        ]),
      openEvidence: async (id) => {
        expect(id).toBe('ev-1');
        return photo;
      },
    };
    const data = await buildReport(demo.db, sources, { communityId: ids.community, pairingId: ids.qingshanPairing, year: YEAR, now: new Date('2026-12-31T04:00:00Z') });
    const t = data.pairings[0].targets[0];
    // The counted lesson of March and the accepted 送教下乡 of April.
    expect(t.evaluation).toMatchObject({ count: 2, threshold: 10, met: false });
    expect(data.pairings[0].activities.map((a) => a.id)).toEqual([expect.any(String), 'off-1']);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await reportXlsx(data)) as unknown as ArrayBuffer);
    expect((book.getWorksheet('targets')!.getRow(3).values as unknown[]).slice(1, 6)).toEqual(['滨江实验小学 — 青山村小学', '同步课堂或送教下乡不少于10节', 2, 10, 20]);

    const { stream, entries } = evidencePack(data, sources);
    const files = await unzip(await streamBytes(stream));
    const photoPath = '滨江实验小学 — 青山村小学/2026-04-20 送教下乡 送教下乡：分数复习课/现场.jpg';
    expect(files.get(photoPath)).toEqual(photo);
    expect(indexPaths(files.get('index.csv')!).sort()).toEqual(entries.map((e) => e.path).sort());
    expect(entries.find((e) => e.path === photoPath)).toMatchObject({ kind: '送教下乡', activity: '送教下乡：分数复习课', day: '2026-04-20' });
  });

  it('is authorised before anything is read: another community NOT_FOUND, another pairing’s school FORBIDDEN, a projector FORBIDDEN', async () => {
    const pairing = `/api/workspace/pairings/${ids.qingshanPairing}`;
    // A bad year from someone outside is still "not found": the query is read only after the check.
    expect((await fetchAs(`${pairing}/report.docx?year=nope`, cookies.farAdmin)).status).toBe(404);
    expect((await fetchAs(`${pairing}/report.xlsx?year=${YEAR}`, cookies.shiqiaoAdmin)).status).toBe(403);
    expect((await fetchAs(`${pairing}/report.pdf?year=${YEAR}`, cookies.device)).status).toBe(403);
    expect((await fetchAs(`${pairing}/report?year=${YEAR}`, cookies.wang)).status).toBe(200);
    expect((await fetchAs(`${pairing}/report.docx?year=nope`, cookies.wang)).status).toBe(400);
    const community = `/api/workspace/communities/${ids.community}`;
    expect((await fetchAs(`${community}/report.zip?year=${YEAR}`, cookies.farAdmin)).status).toBe(404);
    expect((await fetchAs(`${community}/report.xlsx?year=${YEAR}`, cookies.qingshanAdmin)).status).toBe(403);
    expect((await fetchAs(`${community}/report?year=${YEAR}`, cookies.device)).status).toBe(403);
    expect((await fetchAs(`${pairing}/report.exe?year=${YEAR}`, cookies.admin)).status).toBe(400);
  });
});
