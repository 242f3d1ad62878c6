// Timetable import parsing: encodings, Chinese and English headers, row-level errors; and the ICS writer's escaping and folding.
import { describe, expect, it } from 'vitest';
import { parseDay, parseGrade, parsePeriod, parseRows, parseTime, parseWeekdays, type Directory } from '../../server/timetable/importRows.js';
import { FileError, readTable, decodeText } from '../../server/timetable/tableFile.js';
import fc from 'fast-check';
import { escapeText, foldLine } from '../../server/timetable/ics.js';

const dir: Directory = {
  classrooms: [{ id: 'r1', name: '四年级(1)班', grade: 4 }],
  teachers: [{ id: 't1', displayName: '王老师', username: 'teacher-wang' }],
};
const csv = (s: string, bom = false) => Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(s, 'utf8')]);

describe('cell parsers', () => {
  it('weekdays, periods, grades, times, days', () => {
    expect(parseWeekdays('周一')).toEqual([1]);
    expect(parseWeekdays('星期日')).toEqual([7]);
    expect(parseWeekdays('Tue')).toEqual([2]);
    expect(parseWeekdays('1-5')).toEqual([1, 2, 3, 4, 5]);
    expect(parseWeekdays('周一至周三')).toEqual([1, 2, 3]);
    expect(parseWeekdays('周八')).toBeNull();
    expect(parsePeriod('第三节')).toBe(3);
    expect(parsePeriod('12')).toBe(12);
    expect(parsePeriod('第二十一节')).toBeNull();
    expect(parseGrade('四年级')).toBe(4);
    expect(parseGrade('初一')).toBe(7);
    expect(parseGrade('Grade 5')).toBe(5);
    expect(parseGrade('十三年级')).toBeNull();
    expect(parseTime('8:05')).toBe(485);
    expect(parseTime('08：05')).toBe(485);
    expect(parseTime('14:50:00')).toBe(890);
    expect(parseTime('0.5')).toBe(720);
    expect(parseTime('25:00')).toBeNull();
    expect(parseDay('2026/9/1')).toBe('2026-09-01');
    expect(parseDay('2026年10月1日')).toBe('2026-10-01');
    expect(parseDay('2026-02-30')).toBeNull();
  });
});

describe('encodings', () => {
  it('UTF-8 with and without BOM read the same', async () => {
    const text = '星期,节次,开始,结束\n周一,1,08:00,08:40\n';
    const a = await readTable(csv(text, true));
    const b = await readTable(csv(text));
    expect(a.headers).toEqual(['星期', '节次', '开始', '结束']);
    expect(b.headers).toEqual(a.headers);
    expect(a.encoding).toBe('utf-8');
  });

  it('GBK is recognised and said to be GBK', () => {
    // "星期,节次" in GBK
    const gbk = Buffer.from([0xd0, 0xc7, 0xc6, 0xda, 0x2c, 0xbd, 0xda, 0xb4, 0xce]);
    expect(decodeText(gbk)).toEqual({ text: '星期,节次', encoding: 'gbk' });
  });

  it('bytes that are neither UTF-8 nor GBK are refused with a message that says how to fix it', async () => {
    const junk = Buffer.from([0x41, 0x2c, 0xff, 0xff, 0xff, 0x0a]);
    const err = await readTable(junk).catch((e) => e);
    expect(err).toBeInstanceOf(FileError);
    expect((err as FileError).msg.zh).toContain('UTF-8');
    expect((err as FileError).msg.en).toMatch(/encoding/);
  });

  it('an old .xls and an empty file are refused', async () => {
    await expect(readTable(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1]))).rejects.toBeInstanceOf(FileError);
    await expect(readTable(Buffer.alloc(0))).rejects.toBeInstanceOf(FileError);
  });
});

describe('rows', () => {
  it('bells: English headers, weekday ranges expand, each bad cell is named by row and column', async () => {
    const table = await readTable(csv('Weekday,Period,Start,End\n1-5,1,08:00,08:40\nMon,2,8:50,9:30\nFunday,3,10:00,10:40\nTue,4,11:00,10:50\n'));
    const { records, errors } = parseRows('bells', table);
    expect(records).toHaveLength(6);
    expect(errors.map((e) => [e.row, e.column])).toEqual([
      [4, 'Weekday'],
      [5, 'End'],
    ]);
    expect(errors[0].message.zh).toContain('第 4 行「Weekday」');
    expect(errors[1].message.en).toContain('the end must be after the start');
  });

  it('bells: a repeated period and overlapping times are row errors', async () => {
    const table = await readTable(csv('星期,节次,开始,结束\n周一,1,08:00,08:40\n周一,1,09:00,09:40\n周一,2,08:30,09:10\n'));
    const { errors } = parseRows('bells', table);
    expect(errors.map((e) => e.row)).toEqual([3, 4]);
    expect(errors[0].message.zh).toContain('与第 2 行重复');
    expect(errors[1].message.zh).toContain('时间重叠');
  });

  it('missing columns are one error on the header row listing them', async () => {
    const { errors } = parseRows('classes', await readTable(csv('星期,节次,老师\n周一,1,王老师\n')), dir);
    expect(errors).toHaveLength(1);
    expect(errors[0].row).toBe(1);
    expect(errors[0].message.zh).toContain('班级');
    expect(errors[0].message.zh).toContain('科目');
  });

  it('classes: class names resolve, teachers by name or username, grade defaults to the class grade', async () => {
    const table = await readTable(csv('星期,节次,班级,科目,教师\n周一,1,四年级（1）班,数学,王老师\n周二,3,四年级(1)班,语文,孙老师\n周三,1,五年级(9)班,英语,\n'));
    const { records, errors } = parseRows('classes', table, dir);
    expect(records).toEqual([
      { weekday: 1, period: 1, classroomId: 'r1', subject: '数学', grade: 4, teacherName: '王老师', teacherId: 't1' },
      { weekday: 2, period: 3, classroomId: 'r1', subject: '语文', grade: 4, teacherName: '孙老师', teacherId: null },
    ]);
    expect(errors.map((e) => [e.row, e.column])).toEqual([[4, '班级']]);
    expect(errors[0].message.zh).toContain('本校没有班级“五年级(9)班”');
  });

  it('calendar: ranges, kinds in both languages, bad dates named', async () => {
    const table = await readTable(csv('date,end date,type,note\n2026-10-01,2026-10-03,holiday,National Day\n2026/11/12,,考试,期中\n2026-13-01,,holiday,\n2026-12-01,,picnic,\n'));
    const { records, errors } = parseRows('calendar', table);
    expect(records.map((d) => `${d.day}:${d.kind}`)).toEqual(['2026-10-01:holiday', '2026-10-02:holiday', '2026-10-03:holiday', '2026-11-12:exam']);
    expect(errors.map((e) => [e.row, e.column])).toEqual([
      [4, 'date'],
      [5, 'type'],
    ]);
  });
});

describe('ics text', () => {
  it('escapes backslash, semicolon, comma and newlines', () => {
    expect(escapeText('a\\b;c,d\ne')).toBe('a\\\\b\\;c\\,d\\ne');
  });

  it('folds at 75 octets without splitting a UTF-8 character', () => {
    const line = `SUMMARY:${'同步课堂'.repeat(20)}`;
    const folded = foldLine(line);
    const parts = folded.split('\r\n');
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(Buffer.byteLength(p, 'utf8')).toBeLessThanOrEqual(75);
    expect(parts.slice(1).every((p) => p.startsWith(' '))).toBe(true);
    expect(parts.map((p, i) => (i ? p.slice(1) : p)).join('')).toBe(line);
  });

  it('folds any line (ASCII, CJK, accents, emoji) into maximal lines of at most 75 octets, losslessly', () => {
    const char = fc.constantFrom('a', ' ', ';', 'é', 'ß', '同', '课', '😀', '𠀀');
    fc.assert(
      fc.property(fc.array(char, { maxLength: 200 }), (chars) => {
        const line = chars.join('');
        const parts = foldLine(line).split('\r\n');
        expect(parts.map((p, i) => (i ? p.slice(1) : p)).join('')).toBe(line);
        parts.forEach((p, i) => {
          expect(Buffer.byteLength(p, 'utf8')).toBeLessThanOrEqual(75);
          if (i) expect(p.startsWith(' ')).toBe(true);
          // Maximal: the next line's first character would not have fitted.
          const next = parts[i + 1] ? [...parts[i + 1].slice(1)][0] : undefined;
          if (next) expect(Buffer.byteLength(p + next, 'utf8')).toBeGreaterThan(75);
        });
      }),
      { numRuns: 500 },
    );
  });
});
