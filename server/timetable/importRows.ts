// Rows of an imported table → bell periods, class slots or calendar days, with an error per bad
// cell that names the row and column in both languages. Chinese and English headers alike. Pure.
import type { BellPeriod, CalendarDay, ClassSlotInput, ImportKind, Msg, RowError } from '../contract/timetable.js';
import type { Table } from './tableFile.js';
import { addDays, parseHhmm } from '../contract/time.js';

type Field = 'weekday' | 'period' | 'start' | 'end' | 'classroom' | 'subject' | 'grade' | 'teacher' | 'date' | 'endDate' | 'kind' | 'note';

const ALIASES: Record<Field, string[]> = {
  weekday: ['星期', '周', '周几', '星期几', '上课日', 'weekday', 'day', 'dayofweek'],
  period: ['节次', '节', '第几节', '课节', 'period', 'lesson', 'periodno'],
  start: ['开始', '开始时间', '上课', '上课时间', '起', 'start', 'starttime', 'starts', 'begin'],
  end: ['结束', '结束时间', '下课', '下课时间', '止', 'end', 'endtime', 'ends', 'finish'],
  classroom: ['班级', '教室', '班', 'class', 'classroom', 'room'],
  subject: ['科目', '学科', '课程', '课', 'subject', 'course'],
  grade: ['年级', 'grade', 'year'],
  teacher: ['教师', '老师', '任课教师', '授课教师', 'teacher'],
  date: ['日期', '开始日期', 'date', 'day', 'from', 'startdate'],
  endDate: ['结束日期', '截止日期', '至', 'to', 'enddate', 'until'],
  kind: ['类型', '类别', '性质', 'kind', 'type'],
  note: ['说明', '备注', '名称', '事由', 'note', 'name', 'description', 'comment'],
};

const REQUIRED: Record<ImportKind, Field[]> = {
  bells: ['weekday', 'period', 'start', 'end'],
  classes: ['weekday', 'period', 'classroom', 'subject'],
  calendar: ['date', 'kind'],
};
const OPTIONAL: Record<ImportKind, Field[]> = {
  bells: [],
  classes: ['grade', 'teacher'],
  calendar: ['endDate', 'note'],
};

const FIELD_NAME: Record<Field, Msg> = {
  weekday: { zh: '星期', en: 'weekday' },
  period: { zh: '节次', en: 'period' },
  start: { zh: '开始时间', en: 'start' },
  end: { zh: '结束时间', en: 'end' },
  classroom: { zh: '班级', en: 'class' },
  subject: { zh: '科目', en: 'subject' },
  grade: { zh: '年级', en: 'grade' },
  teacher: { zh: '教师', en: 'teacher' },
  date: { zh: '日期', en: 'date' },
  endDate: { zh: '结束日期', en: 'end date' },
  kind: { zh: '类型', en: 'kind' },
  note: { zh: '说明', en: 'note' },
};

const norm = (s: string) => s.replace(/^\uFEFF/, '').replace(/[\s_\-()（）]/g, '').toLowerCase();

/** Column index of each field, or the row-1 error listing what is missing. */
export function mapHeaders(kind: ImportKind, headers: string[], headerRow: number): { columns: Partial<Record<Field, number>>; errors: RowError[] } {
  const columns: Partial<Record<Field, number>> = {};
  const used = new Set<number>();
  for (const f of [...REQUIRED[kind], ...OPTIONAL[kind]]) {
    const i = headers.findIndex((h, idx) => !used.has(idx) && ALIASES[f].includes(norm(h)));
    if (i >= 0) {
      columns[f] = i;
      used.add(i);
    }
  }
  const missing = REQUIRED[kind].filter((f) => columns[f] === undefined);
  if (!missing.length) return { columns, errors: [] };
  return {
    columns,
    errors: [
      {
        row: headerRow,
        message: {
          zh: `表头缺少：${missing.map((f) => FIELD_NAME[f].zh).join('、')}（需要的列：${REQUIRED[kind].map((f) => FIELD_NAME[f].zh).join('、')}）`,
          en: `Missing column(s): ${missing.map((f) => FIELD_NAME[f].en).join(', ')} (needed: ${REQUIRED[kind].map((f) => FIELD_NAME[f].en).join(', ')})`,
        },
      },
    ],
  };
}

// ---- cell parsers (null = not understood) ----

const ZH_DIGIT: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10, 日: 7, 天: 7 };
const EN_DAY = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

function oneWeekday(s: string): number | null {
  const t = s.trim().toLowerCase().replace(/^(星期|周|礼拜)/, '');
  if (/^[1-7]$/.test(t)) return Number(t);
  if (t.length === 1 && ZH_DIGIT[t] && ZH_DIGIT[t] <= 7) return ZH_DIGIT[t];
  const en = EN_DAY.findIndex((d) => t.startsWith(d));
  return en >= 0 ? en + 1 : null;
}

/** '周一', 'Mon', '3', and ranges '1-5', '周一至周五'; '工作日' = Monday to Friday. */
export function parseWeekdays(s: string): number[] | null {
  const t = s.trim();
  if (!t) return null;
  if (/^(工作日|周一到周五|weekdays?)$/i.test(t)) return [1, 2, 3, 4, 5];
  if (/^(每天|每日|daily|everyday)$/i.test(t)) return [1, 2, 3, 4, 5, 6, 7];
  // Split on the separator alone (oneWeekday trims): `\s*sep\s*` would rescan a run of spaces
  // from each of its characters — quadratic on a cell of spaces without a separator.
  const range = t.split(/-|–|—|~|～|至|到|to/i);
  if (range.length === 2) {
    const [a, b] = range.map(oneWeekday);
    if (a && b && a <= b) return Array.from({ length: b - a + 1 }, (_, i) => a + i);
    return null;
  }
  const list = t.split(/[,，、/]/);
  const days = list.map(oneWeekday);
  return days.every((d): d is number => d !== null) ? [...new Set(days)] : null;
}

function zhNumber(t: string): number | null {
  if (/^\d+$/.test(t)) return Number(t);
  if (t === '十') return 10;
  const m = /^(十)?([一二三四五六七八九])?$/.exec(t);
  if (m && (m[1] || m[2])) return (m[1] ? 10 : 0) + (m[2] ? ZH_DIGIT[m[2]] : 0);
  return null;
}

/** '3', '第3节', '第三节', 'P3'. */
export function parsePeriod(s: string): number | null {
  const t = s.trim().replace(/^第/, '').replace(/节$/, '').replace(/^p(eriod)?\s*/i, '');
  const n = zhNumber(t);
  return n !== null && n >= 1 && n <= 20 ? n : null;
}

/** '4', '四年级', '4年级', 'Grade 4', '初一' (= 7), '高一' (= 10). */
export function parseGrade(s: string): number | null {
  const t = s.trim().replace(/^grade\s*/i, '').replace(/年级$/, '');
  const stage = /^(初|高)(.+)$/.exec(t);
  const n = stage ? zhNumber(stage[2]) : zhNumber(t);
  if (n === null) return null;
  const g = stage ? n + (stage[1] === '初' ? 6 : 9) : n;
  return g >= 1 && g <= 12 ? g : null;
}

/** '08:00', '8:00', '8：00', '8.00', Excel fractions of a day. */
export function parseTime(s: string): number | null {
  const t = s.trim();
  if (/^0?\.\d+$/.test(t)) {
    const min = Math.round(Number(t) * 1440);
    return min >= 0 && min < 1440 ? min : null;
  }
  return parseHhmm(/^\d{1,2}:\d{2}:\d{2}$/.test(t) ? t.slice(0, -3) : t);
}

/** '2026-09-01', '2026/9/1', '2026年9月1日', '2026.9.1'. */
export function parseDay(s: string): string | null {
  // Trimmed first: no two adjacent whitespace runs, so the match is linear in the cell.
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?:\s*日)?$/.exec(s.trim());
  if (!m) return null;
  const day = `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
  const d = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === day ? day : null;
}

export function parseKind(s: string): 'holiday' | 'exam' | null {
  const t = s.trim().toLowerCase();
  if (/^(假期|节假日|假日|放假|休息|休假|假|holiday|vacation|closed)$/.test(t)) return 'holiday';
  if (/^(考试|考试日|期中考试|期末考试|测验|exam|exams|examday|test)$/.test(t.replace(/\s+/g, ''))) return 'exam';
  return null;
}

// ---- per kind ----

export interface Directory {
  /** The school's classrooms by name. */
  classrooms: { id: string; name: string; grade: number | null }[];
  /** The school's teachers: matched by display name or username. */
  teachers: { id: string; displayName: string; username: string }[];
}

type Parsed<T> = { records: T[]; errors: RowError[] };

function reader(table: Table, columns: Partial<Record<Field, number>>, errors: RowError[]) {
  return (row: { row: number; cells: string[] }, f: Field) => {
    const i = columns[f];
    const value = i === undefined ? '' : (row.cells[i] ?? '').trim();
    const column = i === undefined ? FIELD_NAME[f].zh : table.headers[i];
    const fail = (zh: string, en: string) => {
      errors.push({ row: row.row, column, message: { zh: `第 ${row.row} 行「${column}」：${zh}`, en: `Row ${row.row}, “${column}”: ${en}` } });
    };
    return { value, fail };
  };
}

export function parseRows(kind: 'bells', table: Table, dir?: Directory): Parsed<BellPeriod>;
export function parseRows(kind: 'classes', table: Table, dir: Directory): Parsed<ClassSlotInput>;
export function parseRows(kind: 'calendar', table: Table, dir?: Directory): Parsed<CalendarDay>;
export function parseRows(kind: ImportKind, table: Table, dir?: Directory): Parsed<unknown> {
  const { columns, errors } = mapHeaders(kind, table.headers, table.headerRow);
  if (errors.length) return { records: [], errors };
  if (!table.rows.length) return { records: [], errors: [{ row: table.headerRow + 1, message: { zh: '表头下面没有数据行', en: 'No data rows under the header' } }] };
  const cell = reader(table, columns, errors);
  if (kind === 'bells') return { records: bells(table, cell, errors), errors };
  if (kind === 'classes') return { records: classes(table, cell, errors, dir!), errors };
  return { records: calendar(table, cell, errors), errors };
}

type Cell = ReturnType<typeof reader>;

function bells(table: Table, cell: Cell, errors: RowError[]): BellPeriod[] {
  const out: (BellPeriod & { row: number })[] = [];
  for (const r of table.rows) {
    const before = errors.length;
    const wd = cell(r, 'weekday');
    const weekdays = parseWeekdays(wd.value);
    if (!weekdays) wd.fail(`“${wd.value}”不是星期几（例如 周一、1、周一至周五）`, `“${wd.value}” is not a weekday (e.g. Mon, 1, 1-5)`);
    const pc = cell(r, 'period');
    const period = parsePeriod(pc.value);
    if (period === null) pc.fail(`“${pc.value}”不是节次（1–20）`, `“${pc.value}” is not a period number (1–20)`);
    const sc = cell(r, 'start');
    const start = parseTime(sc.value);
    if (start === null) sc.fail(`“${sc.value}”不是时间（例如 08:00）`, `“${sc.value}” is not a time (e.g. 08:00)`);
    const ec = cell(r, 'end');
    const end = parseTime(ec.value);
    if (end === null) ec.fail(`“${ec.value}”不是时间（例如 08:40）`, `“${ec.value}” is not a time (e.g. 08:40)`);
    else if (start !== null && end <= start) ec.fail('下课时间必须晚于上课时间', 'the end must be after the start');
    if (errors.length > before) continue;
    for (const weekday of weekdays!) {
      const clash = out.find((p) => p.weekday === weekday && (p.period === period || (p.startMin < end! && start! < p.endMin)));
      if (clash) {
        const same = clash.period === period;
        errors.push({
          row: r.row,
          message: same
            ? { zh: `第 ${r.row} 行：星期${weekday}第 ${period} 节与第 ${clash.row} 行重复`, en: `Row ${r.row}: weekday ${weekday} period ${period} repeats row ${clash.row}` }
            : { zh: `第 ${r.row} 行：与第 ${clash.row} 行的时间重叠（星期${weekday}）`, en: `Row ${r.row}: overlaps the time of row ${clash.row} (weekday ${weekday})` },
        });
        break;
      }
      out.push({ weekday, period: period!, startMin: start!, endMin: end!, row: r.row });
    }
  }
  return out.map(({ row: _row, ...p }) => p);
}

function classes(table: Table, cell: Cell, errors: RowError[], dir: Directory): ClassSlotInput[] {
  const out: (ClassSlotInput & { row: number })[] = [];
  const roomName = (s: string) => s.replace(/[\s（）()]/g, '');
  for (const r of table.rows) {
    const before = errors.length;
    const wd = cell(r, 'weekday');
    const weekdays = parseWeekdays(wd.value);
    if (!weekdays || weekdays.length !== 1) wd.fail(`“${wd.value}”不是某一天（例如 周一 或 1）`, `“${wd.value}” is not a single weekday (e.g. Mon or 1)`);
    const pc = cell(r, 'period');
    const period = parsePeriod(pc.value);
    if (period === null) pc.fail(`“${pc.value}”不是节次（1–20）`, `“${pc.value}” is not a period number (1–20)`);
    const cc = cell(r, 'classroom');
    const room = dir.classrooms.find((c) => roomName(c.name) === roomName(cc.value));
    if (!room) {
      const known = dir.classrooms.map((c) => c.name).join('、') || '—';
      cc.fail(`本校没有班级“${cc.value}”（已有：${known}）`, `no class “${cc.value}” in this school (known: ${known})`);
    }
    const sc = cell(r, 'subject');
    if (!sc.value) sc.fail('科目不能为空', 'the subject is empty');
    else if (sc.value.length > 40) sc.fail('科目太长（最多 40 字）', 'the subject is too long (40 characters at most)');
    const gc = cell(r, 'grade');
    let grade: number | null = room?.grade ?? null;
    if (gc.value) {
      grade = parseGrade(gc.value);
      if (grade === null) gc.fail(`“${gc.value}”不是年级（1–12，例如 四年级）`, `“${gc.value}” is not a grade (1–12)`);
    } else if (grade === null && room) {
      gc.fail('年级为空，且该班级没有设定年级', 'the grade is empty and the class has no grade set');
    }
    const tc = cell(r, 'teacher');
    const teacherName = tc.value.slice(0, 60);
    const teacher = teacherName ? dir.teachers.find((t) => t.displayName === teacherName || t.username === teacherName) : undefined;
    if (errors.length > before) continue;
    const dup = out.find((c) => c.classroomId === room!.id && c.weekday === weekdays![0] && c.period === period);
    if (dup) {
      errors.push({
        row: r.row,
        message: { zh: `第 ${r.row} 行：${room!.name}这一节已在第 ${dup.row} 行排过课`, en: `Row ${r.row}: ${room!.name} already has this period on row ${dup.row}` },
      });
      continue;
    }
    out.push({ weekday: weekdays![0], period: period!, classroomId: room!.id, subject: sc.value, grade: grade!, teacherName, teacherId: teacher?.id ?? null, row: r.row });
  }
  return out.map(({ row: _row, ...c }) => c);
}

function calendar(table: Table, cell: Cell, errors: RowError[]): CalendarDay[] {
  const out = new Map<string, CalendarDay & { row: number }>();
  for (const r of table.rows) {
    const before = errors.length;
    const dc = cell(r, 'date');
    const from = parseDay(dc.value);
    if (!from) dc.fail(`“${dc.value}”不是日期（例如 2026-10-01）`, `“${dc.value}” is not a date (e.g. 2026-10-01)`);
    const ec = cell(r, 'endDate');
    let to = from;
    if (ec.value) {
      to = parseDay(ec.value);
      if (!to) ec.fail(`“${ec.value}”不是日期`, `“${ec.value}” is not a date`);
      else if (from && to < from) ec.fail('结束日期早于开始日期', 'the end date is before the start date');
      else if (from && Date.parse(to) - Date.parse(from) > 120 * 86_400_000) ec.fail('一段假期最长 120 天', 'a single range spans at most 120 days');
    }
    const kc = cell(r, 'kind');
    const kind = parseKind(kc.value);
    if (!kind) kc.fail(`“${kc.value}”不是类型（假期 或 考试）`, `“${kc.value}” is not a kind (holiday or exam)`);
    const note = cell(r, 'note').value.slice(0, 100);
    if (errors.length > before) continue;
    for (let d = from!; d <= to!; d = addDays(d, 1)) {
      const prev = out.get(d);
      if (prev && prev.kind !== kind) {
        errors.push({ row: r.row, message: { zh: `第 ${r.row} 行：${d} 在第 ${prev.row} 行已是另一种类型`, en: `Row ${r.row}: ${d} already has another kind on row ${prev.row}` } });
        break;
      }
      out.set(d, { day: d, kind: kind!, note, row: r.row });
    }
  }
  return [...out.values()].sort((a, b) => a.day.localeCompare(b.day)).map(({ row: _row, ...d }) => d);
}
