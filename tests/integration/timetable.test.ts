// 大课表 over the real API on PGlite: the demo timetables, import of CSV (UTF-8, GBK) and .xlsx
// with row-level errors, who may edit, term scheduling into lessons, and the iCalendar feeds
// parsed by an independent library (ical.js).
import ExcelJS from 'exceljs';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lesson } from '../../server/contract/domain.js';
import type { ClassSlot, PlanBody, RowError, SchoolTimetable, Slot, TermPlan } from '../../server/contract/timetable.js';
import { addDays, schoolDayOf, schoolInstant, weekdayOf } from '../../server/contract/time.js';
import { get, login, otherCommunity, post, seededDb, startApi, type Demo, type Server } from './api.helpers.js';

let demo: Demo;
let api: Server;
const cookies: Record<string, string> = {};
const ids = { city: '', qingshan: '', shiqiao: '', cityRoom: '', qingshanRoom: '', pairing: '' };

const as = (u: string) => cookies[u];
async function json<T>(res: Response, status = 200): Promise<T> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}
function upload(schoolId: string, kind: string, body: Buffer, cookie: string, type = 'text/csv') {
  return fetch(`${api.url}/api/timetable/schools/${schoolId}/import?kind=${kind}`, { method: 'POST', headers: { cookie, 'content-type': type }, body: new Uint8Array(body) });
}
const timetable = async (schoolId: string, user = 'teacher-wang') =>
  (await json<{ timetable: SchoolTimetable }>(await get(api.url, `/api/timetable/schools/${schoolId}`, as(user)))).timetable;

beforeAll(async () => {
  demo = await seededDb();
  api = await startApi({ db: demo.db, config: { secureCookies: false } });
  await otherCommunity(demo.db);
  ids.city = await demo.schoolId('滨江实验小学');
  ids.qingshan = await demo.schoolId('青山村小学');
  ids.shiqiao = await demo.schoolId('石桥乡中心小学');
  ids.cityRoom = await demo.classroomId('四年级(1)班');
  ids.qingshanRoom = await demo.classroomId('四年级');
  ids.pairing = (await demo.db.query<{ id: string }>('select id from pairings where city_school_id = $1 and rural_school_id = $2', [ids.city, ids.qingshan]))[0].id;
  for (const u of ['teacher-wang', 'teacher-li', 'city-admin', 'qingshan-admin', 'admin', 'researcher-zhao', 'far-admin', 'far-teacher']) cookies[u] = await login(api.url, u);
});
afterAll(async () => {
  await api.close();
  await demo.db.close();
});

describe('the demo timetables', () => {
  it('each school has a bell schedule, classes, terms and a calendar; teachers read them', async () => {
    const city = await timetable(ids.city);
    expect(city.bells).toHaveLength(30);
    expect(city.bells[0]).toEqual({ weekday: 1, period: 1, startMin: 480, endMin: 520 });
    expect(city.classes.find((c) => c.weekday === 1 && c.period === 1)).toMatchObject({ subject: '数学', grade: 4, teacherName: '王老师', classroomName: '四年级(1)班' });
    expect(city.terms).toHaveLength(2);
    expect(city.calendar.some((d) => d.kind === 'holiday' && d.note === '国庆节')).toBe(true);
    expect((await timetable(ids.qingshan, 'teacher-li')).classes.length).toBeGreaterThan(3);
  });

  it('the pairing week view finds Monday P1 (5 min apart, at the allowance) and Tuesday P3, not Thursday P5 (10 min)', async () => {
    const week = await json<{ slots: Slot[]; city: SchoolTimetable; rural: SchoolTimetable }>(await get(api.url, `/api/timetable/pairings/${ids.pairing}/week`, as('teacher-li')));
    expect(week.city.schoolName).toBe('滨江实验小学');
    expect(week.rural.schoolName).toBe('青山村小学');
    const maths = week.slots.filter((s) => s.city.subject === '数学').map((s) => [s.weekday, s.city.period, s.rural.period, s.misalignMin]);
    expect(maths).toEqual([
      [1, 1, 1, 5],
      [2, 3, 3, 0],
    ]);
    const wider = await json<{ slots: Slot[] }>(await get(api.url, `/api/timetable/pairings/${ids.pairing}/week?allowanceMin=10`, as('teacher-wang')));
    expect(wider.slots.filter((s) => s.city.subject === '数学').map((s) => s.weekday)).toEqual([1, 2, 4]);
  });

  it('the 大课表 of a pairing is for the two schools: the other rural school, a device and another community are refused', async () => {
    const shiqiaoAdmin = await login(api.url, 'shiqiao-admin');
    expect((await get(api.url, `/api/timetable/pairings/${ids.pairing}/week`, shiqiaoAdmin)).status).toBe(403);
    expect((await get(api.url, `/api/timetable/pairings/${ids.pairing}/week`, as('far-teacher'))).status).toBe(404);
    expect((await get(api.url, `/api/timetable/pairings/${ids.pairing}/week`, as('researcher-zhao'))).status).toBe(200);
    expect((await get(api.url, `/api/timetable/pairings/${ids.pairing}/week`)).status).toBe(401);
  });
});

describe('import', () => {
  it('a UTF-8 CSV with BOM and Chinese headers replaces the bell schedule', async () => {
    const text = '\uFEFF星期,节次,开始时间,结束时间\n周一至周五,1,08:00,08:40\n周一至周五,2,08:50,09:30\n周一至周五,3,10:00,10:40\n周一至周五,4,10:50,11:30\n周一至周五,5,14:00,14:40\n周一至周五,6,14:50,15:30\n';
    const res = await json<{ result: { imported: number; encoding: string } }>(await upload(ids.city, 'bells', Buffer.from(text, 'utf8'), as('city-admin')));
    expect(res.result).toEqual({ kind: 'bells', imported: 30, encoding: 'utf-8' });
    expect((await timetable(ids.city)).bells.filter((b) => b.weekday === 3).map((b) => b.startMin)).toEqual([480, 530, 600, 650, 840, 890]);
  });

  it('a GBK CSV (Excel on Chinese Windows) is read as GBK and says so', async () => {
    const text = '日期,类型,说明\r\n2026-10-01,假期,国庆节\r\n';
    // GBK bytes of the text above, built from a known mapping of each character.
    const gbk: Record<string, number[]> = { 日: [0xc8, 0xd5], 期: [0xc6, 0xda], 类: [0xc0, 0xe0], 型: [0xd0, 0xcd], 说: [0xcb, 0xb5], 明: [0xc3, 0xf7], 假: [0xbc, 0xd9], 国: [0xb9, 0xfa], 庆: [0xc7, 0xec], 节: [0xbd, 0xda] };
    const enc = Buffer.from([...text].flatMap((ch) => gbk[ch] ?? [...Buffer.from(ch, 'utf8')]));
    expect(new TextDecoder('gbk').decode(enc)).toBe(text);
    const before = await timetable(ids.shiqiao);
    const shiqiaoAdmin = await login(api.url, 'shiqiao-admin');
    const res = await json<{ result: { imported: number; encoding: string }; timetable: SchoolTimetable }>(await upload(ids.shiqiao, 'calendar', enc, shiqiaoAdmin));
    expect(res.result).toMatchObject({ imported: 1, encoding: 'gbk' });
    expect(res.timetable.calendar).toEqual([{ day: '2026-10-01', kind: 'holiday', note: '国庆节' }]);
    expect(before.calendar.length).toBeGreaterThan(1); // it replaced the seeded calendar
  });

  it('an .xlsx made with exceljs imports bells (Excel time cells) and classes (English headers)', async () => {
    const bellsBook = new ExcelJS.Workbook();
    const ws = bellsBook.addWorksheet('作息时间');
    ws.addRow(['星期', '节次', '上课', '下课']);
    const t = (h: number, m: number) => new Date(Date.UTC(1899, 11, 30, h, m));
    for (const [p, h, m] of [[1, 8, 5], [2, 8, 55], [3, 10, 0], [4, 10, 50], [5, 13, 50], [6, 14, 40]] as const) {
      const row = ws.addRow(['周一-周五', p, t(h, m), t(h, m + 40 >= 60 ? m - 20 : m + 40)]);
      if (m + 40 >= 60) row.getCell(4).value = t(h + 1, m - 20);
      row.getCell(3).numFmt = 'hh:mm';
      row.getCell(4).numFmt = 'hh:mm';
    }
    const bellsXlsx = Buffer.from(await bellsBook.xlsx.writeBuffer());
    const r1 = await json<{ result: { imported: number; encoding: string }; timetable: SchoolTimetable }>(
      await upload(ids.qingshan, 'bells', bellsXlsx, as('qingshan-admin'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'),
    );
    expect(r1.result).toMatchObject({ imported: 30, encoding: 'xlsx' });
    expect(r1.timetable.bells.filter((b) => b.weekday === 1).map((b) => [b.startMin, b.endMin])).toEqual([
      [485, 525],
      [535, 575],
      [600, 640],
      [650, 690],
      [830, 870],
      [880, 920],
    ]);

    const classesBook = new ExcelJS.Workbook();
    const cs = classesBook.addWorksheet('Timetable');
    cs.addRow(['Weekday', 'Period', 'Class', 'Subject', 'Grade', 'Teacher']);
    cs.addRow(['Mon', 1, '四年级', '数学', '四年级', 'teacher-li']);
    cs.addRow(['Tue', 3, '四年级', '数学', 4, '李老师']);
    cs.addRow(['Thu', 5, '四年级', '数学', 4, '李老师']);
    cs.addRow(['Wed', 1, '四年级', '英语', 4, '马老师']);
    const r2 = await json<{ result: { imported: number }; timetable: SchoolTimetable }>(
      await upload(ids.qingshan, 'classes', Buffer.from(await classesBook.xlsx.writeBuffer()), as('qingshan-admin'), 'application/octet-stream'),
    );
    expect(r2.result.imported).toBe(4);
    const li = await demo.user('teacher-li');
    expect(r2.timetable.classes.map((c) => [c.weekday, c.period, c.subject, c.teacherId])).toEqual([
      [1, 1, '数学', li.id],
      [2, 3, '数学', li.id],
      [3, 1, '英语', null],
      [4, 5, '数学', li.id],
    ]);
  });

  it('a bad file gives row-level errors and imports nothing', async () => {
    const before = await timetable(ids.city);
    const text = 'weekday,period,class,subject,grade,teacher\nMon,1,四年级(1)班,数学,4,王老师\nNoday,2,四年级(1)班,语文,4,\nTue,x,四年级(1)班,数学,4,\nWed,3,九年级(9)班,数学,4,\nThu,4,四年级(1)班,,4,\n';
    const res = await upload(ids.city, 'classes', Buffer.from(text), as('city-admin'));
    const body = await json<{ error: { code: string; message: string }; rowErrors: RowError[] }>(res, 400);
    expect(body.error.code).toBe('BAD_REQUEST');
    expect(body.error.message).toContain('nothing was imported');
    expect(body.rowErrors.map((e) => [e.row, e.column])).toEqual([
      [3, 'weekday'],
      [4, 'period'],
      [5, 'class'],
      [6, 'subject'],
    ]);
    expect(body.rowErrors[2].message.en).toContain('no class “九年级(9)班”');
    expect(await timetable(ids.city)).toEqual(before);
  });

  it('an undecodable CSV and an empty body are refused with a clear reason', async () => {
    const bad = await json<{ rowErrors: RowError[] }>(await upload(ids.city, 'bells', Buffer.from([0x41, 0x2c, 0xff, 0xfe, 0xff, 0x0a]), as('city-admin')), 400);
    expect(bad.rowErrors[0].message.zh).toContain('无法识别文件编码');
    const empty = await json<{ rowErrors: RowError[] }>(await upload(ids.city, 'bells', Buffer.alloc(0), as('city-admin')), 400);
    expect(empty.rowErrors[0].message.en).toBe('The file is empty');
  });

  it('a damaged .xlsx and an oversized upload are refused without harm', async () => {
    const zipHeader = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 7)]);
    const broken = await json<{ rowErrors: RowError[] }>(await upload(ids.city, 'bells', zipHeader, as('city-admin'), 'application/octet-stream'), 400);
    expect(broken.rowErrors[0].message.zh).toContain('无法读取这个 Excel 文件');
    const huge = await upload(ids.city, 'bells', Buffer.alloc(5 * 1024 * 1024, 0x41), as('city-admin'));
    expect(huge.status).toBe(413);
    expect((await timetable(ids.city)).bells).toHaveLength(30);
  });

  it('only the school’s own admin (or the community admin) edits it', async () => {
    const csv = Buffer.from('星期,节次,开始,结束\n周一,1,08:00,08:40\n');
    expect((await upload(ids.city, 'bells', csv, as('qingshan-admin'))).status).toBe(403);
    expect((await upload(ids.city, 'bells', csv, as('teacher-wang'))).status).toBe(403);
    expect((await upload(ids.city, 'bells', csv, as('far-admin'))).status).toBe(404);
    expect((await post(api.url, `/api/timetable/schools/${ids.city}/bells`, { periods: [] }, as('qingshan-admin'))).status).toBe(403);
    expect((await post(api.url, `/api/timetable/schools/${ids.city}/terms`, { terms: [] }, as('teacher-wang'))).status).toBe(403);
    expect((await get(api.url, `/api/timetable/schools/${ids.city}`, as('far-teacher'))).status).toBe(404);
    // A malformed JSON edit is a 400 and changes nothing.
    const bad = await post(api.url, `/api/timetable/schools/${ids.city}/bells`, { periods: [{ weekday: 9, period: 1, startMin: 0, endMin: 10 }] }, as('city-admin'));
    expect(bad.status).toBe(400);
    expect((await timetable(ids.city)).bells).toHaveLength(30);
  });
});

describe('scheduling a term', () => {
  // Four to nine weeks from now, so nothing is in the past whenever this runs.
  const today = schoolDayOf(new Date()).day;
  const firstMonday = addDays(today, ((8 - weekdayOf(today)) % 7) + 28);
  const mondays = [0, 1, 2, 3, 4, 5].map((w) => addDays(firstMonday, 7 * w));
  let mondayP1: { city: ClassSlot; rural: ClassSlot };
  let body: PlanBody;

  beforeAll(async () => {
    // Terms and calendars chosen by the test: a city holiday, a rural exam day, and the rural term ending a week early.
    const terms = (end: string) => ({ terms: [{ name: '本学期', startsOn: addDays(firstMonday, -30), endsOn: end }] });
    await json(await post(api.url, `/api/timetable/schools/${ids.city}/terms`, terms(addDays(mondays[5], 30)), as('city-admin')));
    await json(await post(api.url, `/api/timetable/schools/${ids.qingshan}/terms`, terms(addDays(mondays[5], -1)), as('qingshan-admin')));
    await json(await post(api.url, `/api/timetable/schools/${ids.city}/calendar`, { days: [{ day: mondays[1], kind: 'holiday', note: '校庆' }] }, as('city-admin')));
    await json(await post(api.url, `/api/timetable/schools/${ids.qingshan}/calendar`, { days: [{ day: mondays[3], kind: 'exam', note: '期中考试' }] }, as('qingshan-admin')));
    // An existing lesson of 王老师 overlapping the third Monday.
    await json(
      await post(
        api.url,
        '/api/lessons',
        { title: '已排的课', subject: '数学', grade: 4, hostClassroomId: ids.cityRoom, receivingClassroomIds: [await demo.classroomId('四年级(2)班')], scheduledAt: schoolInstant(mondays[2], 8 * 60 + 20).toISOString(), durationMin: 40 },
        as('teacher-wang'),
      ),
      201,
    );
    const week = await json<{ slots: Slot[] }>(await get(api.url, `/api/timetable/pairings/${ids.pairing}/week`, as('teacher-wang')));
    const s = week.slots.find((x) => x.weekday === 1 && x.city.period === 1)!;
    mondayP1 = { city: s.city, rural: s.rural };
    body = { cityClassId: s.city.id, ruralClassId: s.rural.id, from: mondays[0], to: mondays[5] };
  });

  it('the preview lists every Monday with why it is skipped or clashes', async () => {
    const { plan } = await json<{ plan: TermPlan }>(await post(api.url, `/api/timetable/pairings/${ids.pairing}/plan`, body, as('teacher-li')));
    expect(plan.blocking).toEqual([]);
    expect(plan.dates.map((d) => [d.day, d.status, d.reasons.map((r) => r.code).join(',')])).toEqual([
      [mondays[0], 'ok', ''],
      [mondays[1], 'skipped', 'holiday'],
      [mondays[2], 'clash', 'teacher_double_booked,classroom_double_booked'],
      [mondays[3], 'skipped', 'exam_day'],
      [mondays[4], 'ok', ''],
      [mondays[5], 'skipped', 'outside_term'],
    ]);
    expect(plan.dates[1].reasons[0].message.zh).toContain('滨江实验小学的假期（校庆）');
    expect(plan.dates[2].reasons[0].message.en).toContain('王老师 already teaches “已排的课” 08:20–09:00');
  });

  it('a tighter allowance blocks the term with the bell reason; scheduling it is refused', async () => {
    const tight = { ...body, allowanceMin: 4 };
    const { plan } = await json<{ plan: TermPlan }>(await post(api.url, `/api/timetable/pairings/${ids.pairing}/plan`, tight, as('teacher-wang')));
    expect(plan.blocking.map((c) => c.code)).toEqual(['bell_misaligned']);
    expect(plan.blocking[0].message.zh).toContain('相差 5 分钟，超过允许的 4 分钟');
    expect((await post(api.url, `/api/timetable/pairings/${ids.pairing}/schedule`, tight, as('teacher-wang'))).status).toBe(409);
  });

  it('a city class whose teacher has no account previews with the reason and cannot be scheduled', async () => {
    const shiqiaoPairing = (await demo.db.query<{ id: string }>('select id from pairings where rural_school_id = $1', [ids.shiqiao]))[0].id;
    const week = await json<{ slots: Slot[] }>(await get(api.url, `/api/timetable/pairings/${shiqiaoPairing}/week`, as('city-admin')));
    const chinese = week.slots.find((s) => s.city.subject === '语文')!;
    expect(chinese.city.teacherName).toBe('孙老师');
    const b = { cityClassId: chinese.city.id, ruralClassId: chinese.rural.id, from: mondays[0], to: mondays[1] };
    const { plan } = await json<{ plan: TermPlan }>(await post(api.url, `/api/timetable/pairings/${shiqiaoPairing}/plan`, b, as('city-admin')));
    expect(plan.blocking.map((c) => c.code)).toEqual(['no_teacher_account']);
    expect(plan.blocking[0].message.zh).toContain('孙老师');
    expect(plan.dates.map((d) => d.status)).toEqual(['ok', 'skipped']);
    expect((await post(api.url, `/api/timetable/pairings/${shiqiaoPairing}/schedule`, b, as('city-admin'))).status).toBe(409);
  });

  it('only the city class’s teacher or the city admin schedules', async () => {
    expect((await post(api.url, `/api/timetable/pairings/${ids.pairing}/schedule`, body, as('teacher-li'))).status).toBe(403);
    expect((await post(api.url, `/api/timetable/pairings/${ids.pairing}/schedule`, body, as('qingshan-admin'))).status).toBe(403);
    expect((await post(api.url, `/api/timetable/pairings/${ids.pairing}/schedule`, body, as('far-admin'))).status).toBe(404);
  });

  it('scheduling creates one lesson per free Monday at 08:05 Shanghai, teacher 王老师, host and receiving classrooms', async () => {
    const res = await json<{ seriesId: string; lessonIds: string[] }>(await post(api.url, `/api/timetable/pairings/${ids.pairing}/schedule`, body, as('teacher-wang')), 201);
    expect(res.lessonIds).toHaveLength(2);
    const lessons: Lesson[] = [];
    for (const id of res.lessonIds) lessons.push((await json<{ lesson: Lesson }>(await get(api.url, `/api/lessons/${id}`, as('teacher-li')))).lesson);
    expect(lessons.map((l) => l.scheduledAt)).toEqual([schoolInstant(mondays[0], 8 * 60 + 5).toISOString(), schoolInstant(mondays[4], 8 * 60 + 5).toISOString()]);
    for (const l of lessons) {
      expect(l).toMatchObject({ subject: '数学', grade: 4, teacherName: '王老师', hostClassroomId: mondayP1.city.classroomId, receivingClassroomIds: [mondayP1.rural.classroomId], durationMin: 35, state: 'scheduled' });
    }
    // Persisted with their series.
    const linked = await demo.db.query('select day from tt_series_lessons where series_id = $1 order by day', [res.seriesId]);
    expect(linked.map((r) => r.day)).toEqual([mondays[0], mondays[4]]);
    // Now those dates clash with themselves: scheduling the same again creates nothing.
    const again = await post(api.url, `/api/timetable/pairings/${ids.pairing}/schedule`, body, as('teacher-wang'));
    expect(again.status).toBe(409);
    const { plan } = await json<{ plan: TermPlan }>(await post(api.url, `/api/timetable/pairings/${ids.pairing}/plan`, body, as('teacher-wang')));
    expect(plan.dates[0].reasons.map((r) => r.code)).toEqual(['teacher_double_booked', 'classroom_double_booked', 'classroom_double_booked']);
  });
});

describe('iCalendar feeds', () => {
  let wangUrl = '';

  const parse = (text: string) => {
    const comp = new ICAL.Component(ICAL.parse(text));
    const vtz = comp.getFirstSubcomponent('vtimezone');
    if (vtz) ICAL.TimezoneService.register(vtz);
    return { comp, events: comp.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v)), vtz };
  };

  it('a token is required; the teacher gets a URL to their own feed only', async () => {
    const wang = await demo.user('teacher-wang');
    expect((await get(api.url, '/api/timetable/feed/not-a-real-token-at-all.ics')).status).toBe(404);
    expect((await get(api.url, '/api/timetable/feed/.ics')).status).toBe(404);
    expect((await post(api.url, '/api/timetable/feeds', { kind: 'teacher', id: wang.id }, as('teacher-li'))).status).toBe(403);
    expect((await post(api.url, '/api/timetable/feeds', { kind: 'teacher', id: wang.id }, as('far-admin'))).status).toBe(404);
    expect((await post(api.url, '/api/timetable/feeds', { kind: 'teacher', id: wang.id })).status).toBe(401);
    const status0 = await json<{ exists: boolean }>(await get(api.url, `/api/timetable/feeds/teacher/${wang.id}`, as('teacher-wang')));
    expect(status0.exists).toBe(false);
    const made = await json<{ url: string }>(await post(api.url, '/api/timetable/feeds', { kind: 'teacher', id: wang.id }, as('teacher-wang')), 201);
    expect(made.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/timetable\/feed\/[A-Za-z0-9_-]+\.ics$/);
    wangUrl = made.url;
    // Only the hash is stored.
    const token = /feed\/(.+)\.ics$/.exec(made.url)![1];
    const stored = await demo.db.query<{ token_hash: string }>('select token_hash from tt_feed_tokens');
    expect(stored.some((r) => r.token_hash.includes(token))).toBe(false);
  });

  it('the teacher feed parses with ical.js: Asia/Shanghai times, stable UIDs, Chinese summary, location and join link', async () => {
    const res = await fetch(wangUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/calendar/);
    const text = await res.text();
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/\n/);
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);

    const { events, vtz } = parse(text);
    expect(vtz?.getFirstPropertyValue('tzid')).toBe('Asia/Shanghai');
    const lessons = (await json<{ lessons: Lesson[] }>(await get(api.url, `/api/lessons?from=${new Date(Date.now() - 86400_000).toISOString()}`, as('teacher-wang')))).lessons.filter(
      (l) => l.teacherName === '王老师',
    );
    expect(events.map((e) => e.uid).sort()).toEqual(lessons.map((l) => `lesson-${l.id}@tongbu`).sort());
    const scheduled = lessons.filter((l) => l.title.startsWith('数学 · '));
    expect(scheduled).toHaveLength(2);
    for (const l of scheduled) {
      const ev = events.find((e) => e.uid === `lesson-${l.id}@tongbu`)!;
      expect(ev.startDate.zone?.tzid).toBe('Asia/Shanghai');
      expect([ev.startDate.hour, ev.startDate.minute]).toEqual([8, 5]);
      expect([ev.endDate.hour, ev.endDate.minute]).toEqual([8, 40]);
      expect(ev.startDate.toJSDate().toISOString()).toBe(l.scheduledAt);
      expect(ev.endDate.toJSDate().getTime() - ev.startDate.toJSDate().getTime()).toBe(35 * 60_000);
      expect(ev.summary).toBe(`同步课堂：${l.title}（数学·4年级）`);
      expect(ev.location).toBe('滨江实验小学 四年级(1)班（主讲）→ 青山村小学 四年级');
      expect(ev.description).toContain(`/lessons/${l.id}/teach`);
      expect(ev.description).toContain('授课教师：王老师');
    }
    // Commas, semicolons, backslashes and newlines in a title survive escaping and folding.
    const tricky = '分数,小数;百分数\\复习\n第二课时 — 一个很长很长的标题用来检查每行不超过七十五个字节的折行是否正确';
    const made = await json<{ lesson: Lesson }>(
      await post(api.url, '/api/lessons', { title: tricky.replace('\n', ' '), subject: '数学', grade: 4, hostClassroomId: ids.cityRoom, receivingClassroomIds: [ids.qingshanRoom], scheduledAt: new Date(Date.now() + 30 * 86_400_000).toISOString(), durationMin: 40 }, as('teacher-wang')),
      201,
    );
    const reparsed = parse(await (await fetch(wangUrl)).text());
    const ev = reparsed.events.find((e) => e.uid === `lesson-${made.lesson.id}@tongbu`)!;
    expect(ev.summary).toBe(`同步课堂：${tricky.replace('\n', ' ')}（数学·4年级）`);
    expect(ev.description.split('\n')[0]).toBe('授课教师：王老师');
    // The same UIDs on the next fetch.
    const again = parse(await (await fetch(wangUrl)).text());
    expect(again.events.map((e) => e.uid)).toEqual(reparsed.events.map((e) => e.uid));
    expect(again.events.map((e) => e.uid)).toEqual(expect.arrayContaining(events.map((e) => e.uid)));
  });

  it('regenerating the token retires the old URL', async () => {
    const wang = await demo.user('teacher-wang');
    const made = await json<{ url: string }>(await post(api.url, '/api/timetable/feeds', { kind: 'teacher', id: wang.id }, as('teacher-wang')), 201);
    expect(made.url).not.toBe(wangUrl);
    expect((await fetch(wangUrl)).status).toBe(404);
    expect((await fetch(made.url)).status).toBe(200);
    expect((await json<{ exists: boolean }>(await get(api.url, `/api/timetable/feeds/teacher/${wang.id}`, as('teacher-wang')))).exists).toBe(true);
  });

  it('a classroom feed (made by its school admin) lists its lessons with the projector link', async () => {
    expect((await post(api.url, '/api/timetable/feeds', { kind: 'classroom', id: ids.qingshanRoom }, as('teacher-li'))).status).toBe(403);
    expect((await post(api.url, '/api/timetable/feeds', { kind: 'classroom', id: ids.qingshanRoom }, as('city-admin'))).status).toBe(403);
    const made = await json<{ url: string }>(await post(api.url, '/api/timetable/feeds', { kind: 'classroom', id: ids.qingshanRoom }, as('qingshan-admin')), 201);
    const { events } = parse(await (await fetch(made.url)).text());
    const series = events.filter((e) => e.summary.includes('数学 · 四年级(1)班'));
    expect(series).toHaveLength(2);
    expect(series[0].description).toMatch(/\/lessons\/[^/]+\/projector/);
    expect(series[0].startDate.toJSDate().getUTCHours()).toBe(0); // 08:05 in Shanghai is 00:05 UTC
    expect(series[0].startDate.toJSDate().getUTCMinutes()).toBe(5);
  });
});
