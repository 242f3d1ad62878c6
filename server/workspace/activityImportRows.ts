// A school's spreadsheet of offline activities → one draft per row, with a row-level error for
// every cell that cannot be read. Pure and free of the database: it runs in the parse pool's
// worker thread (parseTask.ts), next to the file's parse, so a 2000-row file costs a worker's
// time. The look-ups that need the database (paired school, teachers) are the main thread's
// (activityImport.ts); both halves check the row with createActivityBody and word zod's issues
// the same way (issuesOfZod).
import type { z } from 'zod';
import { createActivityBody, type OfflineActivityKind } from '../contract/workspace/activities.js';
import {
  IMPORT_COLUMN_EN,
  IMPORT_COLUMN_ZH,
  IMPORT_COLUMNS,
  IMPORT_KIND_WORDS,
  IMPORT_REQUIRED_COLUMNS,
  type ActivityImportCode,
  type ActivityImportIssue,
  type ImportColumn,
} from '../contract/workspace/activityImport.js';
import type { Table } from '../timetable/tableFile.js';
import { parseDay } from '../timetable/importRows.js';

const ALIASES: Record<ImportColumn, readonly string[]> = {
  day: ['日期', '活动日期', '时间', '活动时间', 'date', 'day', 'activitydate'],
  kind: ['类型', '活动类型', '类别', 'type', 'kind', 'activitytype'],
  place: ['地点', '活动地点', '场所', 'place', 'location', 'venue'],
  people: ['参与人员', '参加人员', '参与人', '人员', 'people', 'participants', 'attendees'],
  description: ['内容', '活动内容', '说明', '描述', 'description', 'content', 'details'],
  subject: ['学科', '科目', 'subject'],
  pairedSchool: ['结对学校', '结对校', '结对', '对口学校', 'pairedschool', 'partnerschool', 'pairing', 'partner'],
  teachers: ['授课教师', '参与教师', '教师', '老师', 'teachers', 'teacher'],
};

/** Header and kind words compare without spaces, underscores, hyphens, brackets or case. */
export const normWord = (s: string) => s.replace(/^\uFEFF/, '').replace(/[\s_\-()（）]/g, '').toLowerCase();

const KIND_OF = new Map<string, OfflineActivityKind>(
  (Object.entries(IMPORT_KIND_WORDS) as [OfflineActivityKind, readonly string[]][]).flatMap(([kind, words]) => words.map((w) => [normWord(w), kind] as const)),
);
const KIND_LIST_ZH = Object.values(IMPORT_KIND_WORDS).map((w) => w[0]).join('、');

/** A list in one cell: 、 , ， ; ； or new lines between the names. */
export const splitList = (s: string) =>
  s
    .split(/[、,，;；\n\r]/)
    .map((x) => x.trim())
    .filter((x) => x !== '');

/** What the worker reads of one row; the pairing and the teachers are still names. */
export interface ActivityDraft {
  row: number;
  kind: OfflineActivityKind;
  day: string;
  place: string;
  people: string[];
  description: string;
  subject: string | null;
  pairedSchool: string | null;
  teacherNames: string[];
}

export interface ParsedActivityRows {
  /** Each column's header as written in the file (what an error names). */
  headers: Partial<Record<ImportColumn, string>>;
  drafts: ActivityDraft[];
  errors: ActivityImportIssue[];
  encoding: Table['encoding'];
}

/** One issue, worded in both languages with the row and the column as the file shows them. */
export function issue(row: number, column: string | null, code: ActivityImportCode, zh: string, en: string): ActivityImportIssue {
  return {
    row,
    column,
    code,
    message: column ? `第 ${row} 行「${column}」：${zh}` : `第 ${row} 行：${zh}`,
    messageEn: column ? `Row ${row}, “${column}”: ${en}` : `Row ${row}: ${en}`,
  };
}

/** createActivityBody's fields → the file's columns (the ids are looked up from names). */
const FIELD_COLUMN: Record<string, ImportColumn> = {
  kind: 'kind',
  day: 'day',
  place: 'place',
  people: 'people',
  description: 'description',
  subject: 'subject',
  teacherIds: 'teachers',
  pairingId: 'pairedSchool',
};

/** zod's issues with one row's body → row errors on the columns they are about (one per column). */
export function issuesOfZod(row: number, headers: Partial<Record<ImportColumn, string>>, error: z.ZodError, skip: ReadonlySet<ImportColumn> = new Set()): ActivityImportIssue[] {
  const out: ActivityImportIssue[] = [];
  const seen = new Set<ImportColumn>(skip);
  for (const i of error.issues) {
    const col = FIELD_COLUMN[String(i.path[0])];
    if (!col || seen.has(col)) continue;
    seen.add(col);
    const header = headers[col] ?? IMPORT_COLUMN_ZH[col];
    const list = i.path.length > 1; // an item of a list (one name of 参与人员)
    if (i.code === 'too_small') out.push(issue(row, header, 'required', '不能为空', 'must not be empty'));
    else if (i.code === 'too_big' && i.type === 'array')
      out.push(issue(row, header, 'too_many', `最多 ${String(i.maximum)} 项`, `at most ${String(i.maximum)} entries`));
    else if (i.code === 'too_big')
      out.push(issue(row, header, 'too_long', `${list ? '其中一项' : ''}太长（最多 ${String(i.maximum)} 字）`, `${list ? 'an entry is ' : ''}too long (at most ${String(i.maximum)} characters)`));
    else out.push(issue(row, header, 'invalid', `格式不对（${i.message}）`, `not valid (${i.message})`));
  }
  return out;
}

/** Excel's day numbers (a date cell saved as General) → YYYY-MM-DD; 1900-03-01 … 2099-12-31 only. */
function excelSerialDay(s: string): string | null {
  if (!/^\d{5}$/.test(s)) return null;
  const n = Number(s);
  if (n < 61 || n > 73415) return null;
  return new Date(Date.UTC(1899, 11, 30) + n * 86_400_000).toISOString().slice(0, 10);
}

/** The table's rows → drafts and errors. `maxRows` is enforced by the table's reader (TooManyRows). */
export function activityDrafts(table: Table): ParsedActivityRows {
  const headers: Partial<Record<ImportColumn, string>> = {};
  const index: Partial<Record<ImportColumn, number>> = {};
  const used = new Set<number>();
  for (const col of IMPORT_COLUMNS) {
    const i = table.headers.findIndex((h, idx) => !used.has(idx) && ALIASES[col].includes(normWord(h)));
    if (i >= 0) {
      index[col] = i;
      headers[col] = table.headers[i];
      used.add(i);
    }
  }
  const base = { headers, drafts: [] as ActivityDraft[], encoding: table.encoding };
  const missing = IMPORT_REQUIRED_COLUMNS.filter((c) => index[c] === undefined);
  if (missing.length) {
    return {
      ...base,
      errors: missing.map((c) =>
        issue(
          table.headerRow,
          IMPORT_COLUMN_ZH[c],
          'missing_column',
          `表头缺少这一列（必需的列：${IMPORT_REQUIRED_COLUMNS.map((x) => IMPORT_COLUMN_ZH[x]).join('、')}；请使用导入模板）`,
          `the header has no such column (needed: ${IMPORT_REQUIRED_COLUMNS.map((x) => `${IMPORT_COLUMN_ZH[x]} / ${IMPORT_COLUMN_EN[x]}`).join(', ')}; use the import template)`,
        ),
      ),
    };
  }
  if (table.rows.length === 0) {
    return { ...base, errors: [issue(table.headerRow + 1, null, 'no_rows', '表头下面没有活动，每行填写一项活动', 'no activities under the header: one activity per row')] };
  }
  const errors: ActivityImportIssue[] = [];
  const drafts: ActivityDraft[] = [];
  for (const r of table.rows) {
    const cell = (c: ImportColumn) => (index[c] === undefined ? '' : (r.cells[index[c]] ?? '').trim());
    const header = (c: ImportColumn) => headers[c] ?? IMPORT_COLUMN_ZH[c];
    const rowErrors: ActivityImportIssue[] = [];
    const bad = new Set<ImportColumn>();
    const fail = (c: ImportColumn, code: ActivityImportCode, zh: string, en: string) => {
      bad.add(c);
      rowErrors.push(issue(r.row, header(c), code, zh, en));
    };

    const dayText = cell('day');
    const day = dayText ? (parseDay(dayText) ?? excelSerialDay(dayText)) : null;
    if (!dayText) fail('day', 'required', '日期不能为空', 'the date is empty');
    else if (!day) fail('day', 'invalid_date', `“${dayText.slice(0, 40)}”不是日期（例如 2026-03-18）`, `“${dayText.slice(0, 40)}” is not a date (e.g. 2026-03-18)`);

    const kindText = cell('kind');
    const kind = KIND_OF.get(normWord(kindText));
    if (!kindText) fail('kind', 'required', `类型不能为空（${KIND_LIST_ZH}）`, `the type is empty (${KIND_LIST_ZH})`);
    else if (!kind) fail('kind', 'unknown_kind', `“${kindText.slice(0, 40)}”不是活动类型（可填：${KIND_LIST_ZH}）`, `“${kindText.slice(0, 40)}” is not an activity type (one of: ${KIND_LIST_ZH})`);

    const subject = cell('subject');
    const pairedSchool = cell('pairedSchool');
    const teacherNames = [...new Set(splitList(cell('teachers')))];
    const fields = {
      kind: kind ?? 'send_teaching',
      day: day ?? '2000-01-01',
      place: cell('place'),
      people: splitList(cell('people')),
      description: cell('description'),
      subject: subject === '' ? null : subject,
    };
    // The same schema as a create by hand (the ids are placeholders until the look-ups).
    const checked = createActivityBody.safeParse({ ...fields, teacherIds: teacherNames.map((_, i) => `name-${i}`), pairingId: null });
    if (!checked.success) rowErrors.push(...issuesOfZod(r.row, headers, checked.error, bad));
    if (pairedSchool.length > 200) {
      rowErrors.push(issue(r.row, header('pairedSchool'), 'too_long', '太长（最多 200 字）', 'too long (at most 200 characters)'));
    }
    errors.push(...rowErrors);
    if (rowErrors.length === 0 && checked.success) {
      const b = checked.data;
      drafts.push({ row: r.row, kind: b.kind, day: b.day, place: b.place, people: b.people, description: b.description, subject: b.subject, pairedSchool: pairedSchool || null, teacherNames });
    }
  }
  return { ...base, drafts, errors };
}
