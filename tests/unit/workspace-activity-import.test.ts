// The two pure halves of the offline-activity import: a table's rows → drafts with row errors
// (the parse worker's half), and the look-ups by name (the main thread's half).
import { describe, expect, it } from 'vitest';
import { activityDrafts, splitList } from '../../server/workspace/activityImportRows.js';
import { resolveDrafts } from '../../server/workspace/activityImport.js';
import type { ImportDirectory } from '../../server/workspace/activityImportRepo.js';
import { readTable, TooManyRows, type Table } from '../../server/timetable/tableFile.js';

const table = (headers: string[], rows: string[][]): Table => ({ headers, headerRow: 1, rows: rows.map((cells, i) => ({ row: i + 2, cells })), encoding: 'utf-8' });
const dir: ImportDirectory = {
  pairings: [
    { id: 'p-qs', partnerId: 's-qs', partnerName: '青山村小学' },
    { id: 'p-sq', partnerId: 's-sq', partnerName: '石桥乡中心小学' },
  ],
  staff: [
    { id: 'u-wang', displayName: '王老师', username: 'teacher-wang', schoolId: 's-city', schoolName: '滨江实验小学' },
    { id: 'u-wang-qs', displayName: '王 老师', username: 'wang-qs', schoolId: 's-qs', schoolName: '青山村小学' },
    { id: 'u-zhou-qs', displayName: '周老师', username: 'zhou-qs', schoolId: 's-qs', schoolName: '青山村小学' },
    { id: 'u-zhou-sq', displayName: '周老师', username: 'zhou-sq', schoolId: 's-sq', schoolName: '石桥乡中心小学' },
    { id: 'u-far', displayName: '远山老师', username: 'far', schoolId: 's-far', schoolName: '远山小学' },
  ],
};

describe('rows → drafts', () => {
  it('reads every kind word, the date forms and lists, and keeps the spreadsheet’s row numbers', () => {
    const t = table(
      ['Date', '类型', '活动地点', '参与人员', 'Teachers'],
      [
        ['2026-03-18', '送教', '青山', '王老师、李老师, 陈校长；赵老师', ''],
        ['2026/3/19', '手拉手', '青山', '', ''],
        ['46101', 'Mentoring', '滨江', '', '王老师,王老师'], // Excel's day number (2024-01-01 is 45292)
        ['2026年3月21日', 'teacher visit', '石桥', '', ''],
        ['2026.3.22', '教研', '石桥', '', ''],
      ],
    );
    const p = activityDrafts(t);
    expect(p.errors).toEqual([]);
    expect(p.drafts.map((d) => [d.row, d.day, d.kind])).toEqual([
      [2, '2026-03-18', 'send_teaching'],
      [3, '2026-03-19', 'student_exchange'],
      [4, '2026-03-20', 'mentoring'],
      [5, '2026-03-21', 'teacher_visit'],
      [6, '2026-03-22', 'offline_research'],
    ]);
    expect(p.drafts[0].people).toEqual(['王老师', '李老师', '陈校长', '赵老师']);
    expect(p.drafts[2].teacherNames).toEqual(['王老师']);
    expect(p.headers).toMatchObject({ day: 'Date', place: '活动地点' });
  });

  it('names the header a column has in the file, and reports every bad cell of a row', () => {
    const p = activityDrafts(table(['Date', 'Type', 'Place'], [['2026-02-30', 'picnic', '']]));
    expect(p.drafts).toEqual([]);
    expect(p.errors.map((e) => [e.row, e.column, e.code])).toEqual([
      [2, 'Date', 'invalid_date'],
      [2, 'Type', 'unknown_kind'],
      [2, 'Place', 'required'],
    ]);
    expect(p.errors[0].messageEn).toBe('Row 2, “Date”: “2026-02-30” is not a date (e.g. 2026-03-18)');
  });

  it('more than 100 teachers on one row is too many', () => {
    const names = Array.from({ length: 101 }, (_, i) => `老师${i}`).join('、');
    const p = activityDrafts(table(['日期', '类型', '地点', '授课教师'], [['2026-03-18', '送教下乡', '青山', names]]));
    expect(p.errors.map((e) => [e.column, e.code])).toEqual([['授课教师', 'too_many']]);
  });

  it('splitList drops empty entries', () => {
    expect(splitList(' 王老师 、、李老师\n')).toEqual(['王老师', '李老师']);
  });

  it('the reader stops at the caller’s row limit with a typed error', async () => {
    const csv = Buffer.from(`日期,类型,地点\n${'2026-03-18,送教下乡,青山\n'.repeat(11)}`);
    await expect(readTable(csv, undefined, 10)).rejects.toBeInstanceOf(TooManyRows);
    expect((await readTable(csv, undefined, 11)).rows).toHaveLength(11);
  });
});

describe('names → ids', () => {
  const drafts = (rows: string[][]) => activityDrafts(table(['日期', '类型', '地点', '结对学校', '授课教师'], rows));

  it('a shared name prefers the school’s own staff, then its partners’; spaces in names do not matter', () => {
    const r = resolveDrafts(drafts([['2026-03-18', '送教下乡', '青山', '青山村小学', '王老师']]), dir, 's-city', new Set());
    expect(r.errors).toEqual([]);
    expect(r.rows[0]).toMatchObject({ pairingId: 'p-qs', pairedSchoolName: '青山村小学', teacherIds: ['u-wang'] });
    // For 青山, its own 王 老师 (written with a space) is meant.
    expect(resolveDrafts(drafts([['2026-03-18', '送教下乡', '青山', '', '王老师']]), dir, 's-qs', new Set()).rows[0].teacherIds).toEqual(['u-wang-qs']);
  });

  it('two partners’ teachers of one name are ambiguous until the school is written', () => {
    const r = resolveDrafts(drafts([['2026-03-18', '送教下乡', '青山', '', '周老师'], ['2026-03-19', '送教下乡', '青山', '', '周老师(石桥乡中心小学)']]), dir, 's-city', new Set());
    expect(r.errors.map((e) => [e.row, e.code])).toEqual([[2, 'ambiguous_teacher']]);
    expect(r.rows.map((x) => x.teacherIds)).toEqual([['u-zhou-sq']]);
  });

  it('a school that is not a partner and a stranger are unknown; duplicates are warnings only', () => {
    const bad = resolveDrafts(drafts([['2026-03-18', '送教下乡', '青山', '远山小学', 'nobody']]), dir, 's-city', new Set());
    expect(bad.errors.map((e) => [e.column, e.code])).toEqual([
      ['结对学校', 'unknown_paired_school'],
      ['授课教师', 'unknown_teacher'],
    ]);
    const twice = resolveDrafts(drafts([['2026-03-18', '送教下乡', '青山 教室', '', ''], ['2026-03-18', '送教下乡', '青山教室', '', '']]), dir, 's-city', new Set(['2026-03-18|send_teaching|青山教室']));
    expect(twice.errors).toEqual([]);
    expect(twice.rows).toHaveLength(2);
    expect(twice.warnings.map((w) => [w.row, w.code])).toEqual([
      [2, 'already_logged'],
      [3, 'already_logged'],
    ]);
  });
});
