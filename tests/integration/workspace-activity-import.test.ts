// Bulk import of offline activities (issue 12) on the real database and the real parse pool:
// .xlsx written with exceljs and CSV files, row-level errors that import nothing, look-ups of the
// paired school and the teachers by name, who may import (refused before the body is read), zip
// bombs and files that are not spreadsheets, the dry run, the row limit, and the imported rows
// as drafts with their audit rows, as a create by hand has them.
import http from 'node:http';
import { rm } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, WorkspaceActivity } from '../../server/contract/workspace/activities.js';
import type { ActivityImportFailure, ActivityImportResult } from '../../server/contract/workspace/activityImport.js';
import { createUser } from '../../server/community/repo.js';
import { closeParsePool } from '../../server/uploads/parsePool.js';
import { DEMO_PASSWORD, login, otherCommunity, post, seededDb, type Demo, type Server } from './api.helpers.js';
import { send, startActivitiesApi, tempDir } from './workspace-evidence.helpers.js';
import { zipOf } from '../helpers/zipBomb.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
let demo: Demo;
let api: Server;
let dataDir: string;
const ids = { city: '', qingshan: '', shiqiao: '', cityQingshan: '', cityShiqiao: '', wang: '', li: '', zhouQingshan: '', zhouShiqiao: '' };
const cookies: Record<string, string> = {};

beforeAll(async () => {
  demo = await seededDb();
  dataDir = await tempDir('tongbu-activity-import-');
  api = await startActivitiesApi(demo.db, dataDir);
  await otherCommunity(demo.db);
  ids.city = await demo.schoolId('滨江实验小学');
  ids.qingshan = await demo.schoolId('青山村小学');
  ids.shiqiao = await demo.schoolId('石桥乡中心小学');
  const pairing = async (rural: string) =>
    (await demo.db.query<{ id: string }>('select id from pairings where city_school_id = $1 and rural_school_id = $2', [ids.city, rural]))[0].id;
  ids.cityQingshan = await pairing(ids.qingshan);
  ids.cityShiqiao = await pairing(ids.shiqiao);
  ids.wang = (await demo.user('teacher-wang')).id;
  ids.li = (await demo.user('teacher-li')).id;
  // Two teachers of one name at the city school's two partner schools.
  ids.zhouQingshan = (await createUser(demo.db, { username: 'zhou-qs', displayName: '周老师', role: 'teacher', schoolId: ids.qingshan, password: DEMO_PASSWORD })).id;
  ids.zhouShiqiao = (await createUser(demo.db, { username: 'zhou-sq', displayName: '周老师', role: 'teacher', schoolId: ids.shiqiao, password: DEMO_PASSWORD })).id;
  for (const u of ['city-admin', 'qingshan-admin', 'teacher-wang', 'admin', 'researcher-zhao', 'bureau-li', 'far-admin']) cookies[u] = await login(api.url, u);
  // A projector device, signed in with its classroom's code.
  const code = await post(api.url, `/api/classrooms/${await demo.classroomId('四年级(1)班')}/device-code`, undefined, cookies['city-admin']);
  const dev = await post(api.url, '/api/auth/device', { code: ((await code.json()) as { code: string }).code });
  expect(dev.status).toBe(200);
  cookies.device = (dev.headers.get('set-cookie') ?? '').split(';')[0];
}, 60_000);

afterAll(async () => {
  await api?.close();
  await demo?.db.close();
  await closeParsePool();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function upload(schoolId: string, body: Buffer, cookie: string, query = 'dryRun=0', type = 'text/csv'): Promise<Response> {
  return fetch(`${api.url}/api/workspace/schools/${schoolId}/activities/import?${query}`, { method: 'POST', headers: { cookie, 'content-type': type }, body: new Uint8Array(body) });
}
async function json<T>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  expect(res.status, text.slice(0, 2000)).toBe(status);
  return JSON.parse(text) as T;
}
const csv = (lines: string[]) => Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
const HEADER = '日期,类型,地点,参与人员,内容,学科,结对学校,授课教师';

async function counts(schoolId: string): Promise<{ activities: number; audit: number }> {
  const [a] = await demo.db.query<{ n: number }>('select count(*)::int as n from workspace_activities where school_id = $1', [schoolId]);
  const [b] = await demo.db.query<{ n: number }>("select count(*)::int as n from workspace_audit where entity = 'activity'");
  return { activities: a.n, audit: b.n };
}
async function activity(id: string, cookie = cookies['city-admin']): Promise<WorkspaceActivity> {
  const res = await send(api.url, 'GET', `/api/workspace/activities/${id}`, cookie);
  return ((await json<{ activity: WorkspaceActivity }>(res, 200)) as { activity: WorkspaceActivity }).activity;
}
async function auditOf(entityId: string): Promise<AuditEntry[]> {
  const res = await send(api.url, 'GET', `/api/workspace/communities/${(await activity(entityId, cookies.admin)).communityId}/audit?entityId=${entityId}`, cookies.admin);
  return (await json<{ entries: AuditEntry[] }>(res, 200)).entries;
}

describe('a good file imports every row as a draft', () => {
  it('an .xlsx written with exceljs (date cells, Chinese headers, paired school and teachers by name)', async () => {
    const book = new ExcelJS.Workbook();
    const ws = book.addWorksheet('活动');
    ws.addRow(HEADER.split(','));
    ws.addRow([new Date(Date.UTC(2026, 2, 18)), '送教下乡', '青山村小学 四年级教室', '王老师、四年级学生 32 人', '数学示范课', '数学', '青山村小学', '王老师、李老师']);
    ws.addRow(['2026/4/2', '教师互访', '石桥乡中心小学', '王老师，周校长', '', '', '石桥乡中心小学', 'teacher-wang']);
    ws.addRow([]); // a blank line between activities is skipped
    ws.addRow(['2026年5月9日', '师徒活动', '滨江实验小学 录播教室', '', '师徒听评课', '语文', '', '周老师（石桥乡中心小学）']);
    ws.getCell('A2').numFmt = 'yyyy-mm-dd';
    const before = await counts(ids.city);
    const res = await json<ActivityImportResult>(await upload(ids.city, Buffer.from(await book.xlsx.writeBuffer()), cookies['city-admin'], 'dryRun=0', XLSX), 201);
    expect(res).toMatchObject({ dryRun: false, imported: 3, encoding: 'xlsx', warnings: [] });
    expect(res.rows.map((r) => r.row)).toEqual([2, 3, 5]);
    expect(res.activityIds).toHaveLength(3);

    const [a, b, c] = await Promise.all(res.activityIds.map((id) => activity(id)));
    expect(a).toMatchObject({
      schoolId: ids.city,
      status: 'draft',
      kind: 'send_teaching',
      day: '2026-03-18',
      place: '青山村小学 四年级教室',
      people: ['王老师', '四年级学生 32 人'],
      description: '数学示范课',
      subject: '数学',
      pairingId: ids.cityQingshan,
      evidence: [],
    });
    expect(a.teacherIds.sort()).toEqual([ids.wang, ids.li].sort());
    expect(b).toMatchObject({ kind: 'teacher_visit', day: '2026-04-02', people: ['王老师', '周校长'], description: '', subject: null, pairingId: ids.cityShiqiao, teacherIds: [ids.wang] });
    expect(c).toMatchObject({ kind: 'mentoring', day: '2026-05-09', people: [], pairingId: null, teacherIds: [ids.zhouShiqiao] });
    expect(await counts(ids.city)).toEqual({ activities: before.activities + 3, audit: before.audit + 3 });
  });

  it('a CSV with English headers and words, imported by the community admin for a school', async () => {
    const file = csv([
      'Date,Type,Location,Participants,Description,Subject,Paired school,Teachers',
      '2026-06-01,student_exchange,青山村小学 操场,"四年级(1)班 30 人, 四年级 12 人",手拉手活动,,滨江实验小学,李老师',
      '2026-06-08,offline research,青山村小学 会议室,陈校长,集体备课,数学,,',
    ]);
    const res = await json<ActivityImportResult>(await upload(ids.qingshan, file, cookies.admin), 201);
    expect(res).toMatchObject({ imported: 2, encoding: 'utf-8' });
    const [a, b] = await Promise.all(res.activityIds.map((id) => activity(id, cookies.admin)));
    expect(a).toMatchObject({ schoolId: ids.qingshan, kind: 'student_exchange', people: ['四年级(1)班 30 人', '四年级 12 人'], pairingId: ids.cityQingshan, teacherIds: [ids.li], status: 'draft' });
    expect(b).toMatchObject({ kind: 'offline_research', subject: '数学', pairingId: null, teacherIds: [] });
  });

  it('each imported activity has the audit row a create by hand has, in the same shape', async () => {
    const byHand = await send(api.url, 'POST', `/api/workspace/schools/${ids.city}/activities`, cookies['teacher-wang'], { kind: 'offline_research', day: '2026-07-01', place: '滨江实验小学 会议室' });
    const manual = (await json<{ activity: WorkspaceActivity }>(byHand, 201)).activity;
    const res = await json<ActivityImportResult>(await upload(ids.city, csv([HEADER, '2026-07-02,线下教研,滨江实验小学 会议室,,,,,']), cookies['teacher-wang']), 201);
    const imported = await activity(res.activityIds[0]);
    const [hand] = await auditOf(manual.id);
    const [imp] = await auditOf(imported.id);
    expect(imp).toMatchObject({ action: 'create', entity: 'activity', entityId: imported.id, actorName: '王老师', before: null });
    expect(Object.keys(imp.after as object).sort()).toEqual(Object.keys(hand.after as object).sort());
    const { schoolName: _s, reviewedByName: _r, evidence: _e, ...fields } = imported;
    expect(imp.after).toEqual({ ...fields, evidence: [] });
    const stored = await demo.db.query<{ hand_null: boolean; imp_null: boolean }>(
      `select (select before is null from workspace_audit where entity_id = $1) as hand_null, (select before is null from workspace_audit where entity_id = $2) as imp_null`,
      [manual.id, imported.id],
    );
    expect(stored[0].imp_null).toBe(stored[0].hand_null);
    // A draft as any other: it can be edited and gets evidence before it is submitted.
    expect((await send(api.url, 'POST', `/api/workspace/activities/${imported.id}/submit`, cookies['teacher-wang'])).status).toBe(400);
    expect((await send(api.url, 'POST', `/api/workspace/activities/${imported.id}`, cookies['teacher-wang'], { place: '滨江实验小学 报告厅' })).status).toBe(200);
  });
});

describe('a file with errors imports nothing', () => {
  it('errors in rows 3 and 5 are exactly those row errors, with the column and a zh message and code', async () => {
    const file = csv([
      HEADER,
      '2026-09-01,送教下乡,青山村小学,王老师,,数学,青山村小学,王老师',
      '2026-13-40,送教下乡,青山村小学,王老师,,数学,,',
      '2026-09-03,教师互访,石桥乡中心小学,,,,,',
      '2026-09-04,春游,,王老师,,,,',
      '2026-09-05,线下教研,滨江实验小学,,,,,',
    ]);
    const before = await counts(ids.city);
    const body = await json<ActivityImportFailure>(await upload(ids.city, file, cookies['city-admin']), 400);
    expect(body.error.code).toBe('BAD_REQUEST');
    expect(body.error.message).toContain('未导入任何活动');
    expect(body.rowErrors.map((e) => [e.row, e.column, e.code])).toEqual([
      [3, '日期', 'invalid_date'],
      [5, '类型', 'unknown_kind'],
      [5, '地点', 'required'],
    ]);
    expect(body.errorCount).toBe(3);
    expect(body.rowErrors[0].message).toBe('第 3 行「日期」：“2026-13-40”不是日期（例如 2026-03-18）');
    expect(body.rowErrors[1].messageEn).toContain('“春游” is not an activity type');
    expect(await counts(ids.city)).toEqual(before);
    // The same file as a dry run: the same errors, nothing written either.
    const dry = await json<ActivityImportFailure>(await upload(ids.city, file, cookies['city-admin'], 'dryRun=1'), 400);
    expect(dry.rowErrors).toEqual(body.rowErrors);
  });

  it('unknown paired schools and teachers are named; another community’s teacher is unknown; a shared name must say its school', async () => {
    const file = csv([
      HEADER,
      '2026-09-10,送教下乡,青山村小学,,,,青山村小学,王老师',
      '2026-09-11,送教下乡,远山村小,,,,远山村小,',
      '2026-09-12,送教下乡,青山村小学,,,,,不存在的老师、远山老师',
      '2026-09-13,师徒活动,滨江实验小学,,,,,周老师',
      '2026-09-14,师徒活动,滨江实验小学,,,,,周老师（青山村小学）',
    ]);
    const before = await counts(ids.city);
    const body = await json<ActivityImportFailure>(await upload(ids.city, file, cookies['city-admin']), 400);
    expect(body.rowErrors.map((e) => [e.row, e.column, e.code])).toEqual([
      [3, '结对学校', 'unknown_paired_school'],
      [4, '授课教师', 'unknown_teacher'],
      [4, '授课教师', 'unknown_teacher'],
      [5, '授课教师', 'ambiguous_teacher'],
    ]);
    expect(body.rowErrors[0].message).toContain('本校的结对学校：');
    for (const name of ['青山村小学', '石桥乡中心小学']) expect(body.rowErrors[0].message).toContain(name);
    expect(body.rowErrors[1].message).toContain('“不存在的老师”');
    expect(body.rowErrors[2].message).toContain('“远山老师”');
    for (const name of ['青山村小学', '石桥乡中心小学']) expect(body.rowErrors[3].message).toContain(name);
    expect(await counts(ids.city)).toEqual(before);
    // 青山's own pairing is with 滨江 only: 石桥 is not one of its paired schools.
    const rural = await json<ActivityImportFailure>(await upload(ids.qingshan, csv([HEADER, '2026-09-15,教师互访,石桥,,,,石桥乡中心小学,周老师']), cookies['qingshan-admin']), 400);
    expect(rural.rowErrors.map((e) => e.code)).toEqual(['unknown_paired_school']);
    // …and 青山's own 周老师 is meant when 青山 imports it (its own staff first).
    const own = await json<ActivityImportResult>(await upload(ids.qingshan, csv([HEADER, '2026-09-15,教师互访,石桥,,,,,周老师']), cookies['qingshan-admin'], 'dryRun=1'), 200);
    expect(own.rows[0].teacherIds).toEqual([ids.zhouQingshan]);
  });

  it('a missing required column, a header without rows and over-long cells are row errors too', async () => {
    const noPlace = await json<ActivityImportFailure>(await upload(ids.city, csv(['日期,类型', '2026-09-01,送教下乡']), cookies['city-admin']), 400);
    expect(noPlace.rowErrors.map((e) => [e.row, e.column, e.code])).toEqual([[1, '地点', 'missing_column']]);
    const empty = await json<ActivityImportFailure>(await upload(ids.city, csv([HEADER]), cookies['city-admin']), 400);
    expect(empty.rowErrors.map((e) => [e.row, e.code])).toEqual([[2, 'no_rows']]);
    const long = await json<ActivityImportFailure>(await upload(ids.city, csv([HEADER, `2026-09-01,送教下乡,${'地'.repeat(201)},,,${'科'.repeat(51)},,`]), cookies['city-admin']), 400);
    expect(long.rowErrors.map((e) => [e.row, e.column, e.code])).toEqual([
      [2, '地点', 'too_long'],
      [2, '学科', 'too_long'],
    ]);
  });

  it('more rows than the limit are refused as a whole with a typed error', async () => {
    const rows = Array.from({ length: 2001 }, (_, i) => `2026-10-01,线下教研,会议室 ${i},,,,,`);
    const before = await counts(ids.city);
    const body = await json<ActivityImportFailure>(await upload(ids.city, csv([HEADER, ...rows]), cookies['city-admin']), 413);
    expect(body.error.code).toBe('TOO_LARGE');
    expect(body.rowErrors).toMatchObject([{ row: 0, column: null, code: 'too_many_rows' }]);
    expect(body.rowErrors[0].message).toContain('2000');
    expect(await counts(ids.city)).toEqual(before);
    // At the limit the whole file goes in, in one transaction, an audit row each.
    const full = await json<ActivityImportResult>(await upload(ids.city, csv([HEADER, ...rows.slice(0, 2000)]), cookies['city-admin']), 201);
    expect(full.imported).toBe(2000);
    expect(await counts(ids.city)).toEqual({ activities: before.activities + 2000, audit: before.audit + 2000 });
  }, 60_000);
});

describe('the dry run', () => {
  it('shows what would be imported and writes nothing; a second import of the same rows is warned of', async () => {
    const file = csv([HEADER, '2026-11-02,送教下乡,青山村小学 二楼,王老师,,数学,青山村小学,王老师', '2026-11-02,送教下乡,青山村小学 二楼,,,,,']);
    const before = await counts(ids.city);
    const dry = await json<ActivityImportResult>(await upload(ids.city, file, cookies['city-admin'], 'dryRun=1'), 200);
    expect(dry).toMatchObject({ dryRun: true, imported: 0, activityIds: [] });
    expect(dry.rows.map((r) => [r.row, r.kind, r.pairedSchoolName, r.teacherNames])).toEqual([
      [2, 'send_teaching', '青山村小学', ['王老师']],
      [3, 'send_teaching', null, []],
    ]);
    expect(dry.warnings.map((w) => [w.row, w.code])).toEqual([[3, 'already_logged']]);
    expect(await counts(ids.city)).toEqual(before);

    expect((await json<ActivityImportResult>(await upload(ids.city, file, cookies['city-admin']), 201)).imported).toBe(2);
    const again = await json<ActivityImportResult>(await upload(ids.city, file, cookies['city-admin'], 'dryRun=1'), 200);
    expect(again.warnings.map((w) => [w.row, w.code])).toEqual([
      [2, 'already_logged'],
      [3, 'already_logged'],
    ]);
    expect(again.warnings[0].message).toContain('是否重复导入');
  });
});

describe('who may import, and what is not a spreadsheet', () => {
  /** The headers of a 100 MB upload and none of its body; resolves with the status the server answers. */
  const headersOnly = (schoolId: string, cookie: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(`${api.url}/api/workspace/schools/${schoolId}/activities/import?dryRun=1`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'text/csv', 'content-length': String(100 * 1024 * 1024) },
      });
      req.on('response', (r) => {
        resolve(r.statusCode ?? 0);
        r.resume();
        req.destroy();
      });
      req.on('error', (err) => (err.message.includes('socket hang up') ? undefined : reject(err)));
      req.flushHeaders();
    });

  it('a projector device, another school’s admin, a researcher, a reviewer and another community are refused before the body is read', async () => {
    expect(await headersOnly(ids.city, cookies.device)).toBe(403);
    expect(await headersOnly(ids.city, cookies['qingshan-admin'])).toBe(403);
    expect(await headersOnly(ids.city, cookies['researcher-zhao'])).toBe(403);
    expect(await headersOnly(ids.city, cookies['bureau-li'])).toBe(403);
    expect(await headersOnly(ids.city, cookies['far-admin'])).toBe(404);
    // The school's own admin is told the declared size is too large, also without the body.
    expect(await headersOnly(ids.city, cookies['city-admin'])).toBe(413);
    const before = await counts(ids.city);
    expect((await upload(ids.city, csv([HEADER, '2026-09-01,送教下乡,青山村小学,,,,,']), cookies['qingshan-admin'])).status).toBe(403);
    expect((await upload(ids.city, csv([HEADER, '2026-09-01,送教下乡,青山村小学,,,,,']), '')).status).toBe(401);
    expect(await counts(ids.city)).toEqual(before);
  });

  it('a zip bomb is refused as TOO_LARGE before any parser; a damaged zip, an old .xls and a CSV sent as .xlsx are file errors', async () => {
    const bomb = await zipOf([
      { name: '[Content_Types].xml', size: 60, head: '<?xml version="1.0"?><Types xmlns="x"/>' },
      { name: 'xl/worksheets/sheet1.xml', size: 200 * 1024 * 1024, head: '<?xml version="1.0"?><worksheet><sheetData>' },
    ]);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const big = await json<{ error: { code: string } }>(await upload(ids.city, bomb, cookies['city-admin'], 'dryRun=0', XLSX), 413);
    expect(big.error.code).toBe('TOO_LARGE');

    const damaged = await json<ActivityImportFailure>(await upload(ids.city, Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(300, 7)]), cookies['city-admin']), 400);
    expect(damaged.rowErrors).toMatchObject([{ row: 0, code: 'file' }]);
    expect(damaged.rowErrors[0].message).toContain('无法读取这个 Excel 文件');
    const xls = await json<ActivityImportFailure>(await upload(ids.city, Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(500)]), cookies['city-admin']), 400);
    expect(xls.rowErrors[0].messageEn).toContain('Old .xls files are not supported');
    const notXlsx = await json<ActivityImportFailure>(await upload(ids.city, csv([HEADER, '2026-09-01,送教下乡,青山村小学,,,,,']), cookies['city-admin'], 'dryRun=1&format=xlsx'), 400);
    expect(notXlsx.rowErrors[0].message).toContain('这不是 .xlsx 文件');
    const png = await json<ActivityImportFailure>(await upload(ids.city, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0xff, 0xfe, 0xfd]), cookies['city-admin']), 400);
    expect(png.rowErrors[0].code).toBe('file');
    // A body over the limit without a declared size is cut off at the limit.
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 40; i++) c.enqueue(new Uint8Array(64 * 1024).fill(0x41));
        c.close();
      },
    });
    const streamed = await fetch(`${api.url}/api/workspace/schools/${ids.city}/activities/import`, { method: 'POST', headers: { cookie: cookies['city-admin'], 'content-type': 'text/csv' }, body: stream, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
  });
});

describe('the template', () => {
  it('is an .xlsx with the header row and an example row, and imports as it is', async () => {
    const res = await send(api.url, 'GET', '/api/workspace/activity-import/template.xlsx', cookies['city-admin']);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(XLSX);
    const bytes = Buffer.from(await res.arrayBuffer());
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as unknown as ArrayBuffer);
    const ws = book.worksheets[0];
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(HEADER.split(','));
    expect(ws.getRow(2).getCell(2).value).toBe('送教下乡');
    const dry = await json<ActivityImportResult>(await upload(ids.city, bytes, cookies['city-admin'], 'dryRun=1', XLSX), 200);
    expect(dry.rows).toHaveLength(1);
    expect(dry.rows[0]).toMatchObject({ row: 2, kind: 'send_teaching', day: '2026-03-18', pairingId: ids.cityQingshan, teacherIds: [ids.wang] });
    expect((await send(api.url, 'GET', '/api/workspace/activity-import/template.xlsx', '')).status).toBe(401);
  });
});
