// Bulk import of offline activities from the spreadsheet a school already keeps (issue 12: "every
// body validated (zod) with row-level errors for imports"). One .xlsx or .csv, one row per
// activity, Chinese headers (English aliases accepted); every row is checked against
// createActivityBody and the school's own pairings and the community's staff, and the file
// imports all or nothing. Imported activities are drafts: the school adds evidence and submits.
//
//   POST /api/workspace/schools/:schoolId/activities/import?dryRun=1|0   body: the file's bytes
//        → 200 ActivityImportResult (dry run) | 201 ActivityImportResult (imported)
//        | 400/413 ActivityImportFailure { error, rowErrors }
//   GET  /api/workspace/activity-import/template.xlsx                  → the header row and an example
import { z } from 'zod';
import type { ApiError } from '../errors.js';
import type { OfflineActivityKind } from './activities.js';

export const ACTIVITY_IMPORT_LIMITS = {
  /** The file's bytes: a 2000-row sheet of activities is well under 1 MB. */
  bytesMax: 2 * 1024 * 1024,
  /** Data rows (the header not counted); beyond it the file is refused as a whole (too_many_rows). */
  rowsMax: 2000,
  /** Row errors sent back at most (the count says how many there were). */
  errorsShownMax: 200,
} as const;

/** The columns of the file, in the template's order. */
export const IMPORT_COLUMNS = ['day', 'kind', 'place', 'people', 'description', 'subject', 'pairedSchool', 'teachers'] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** The template's header (also the column named in an error when the column is missing). */
export const IMPORT_COLUMN_ZH: Record<ImportColumn, string> = {
  day: '日期',
  kind: '类型',
  place: '地点',
  people: '参与人员',
  description: '内容',
  subject: '学科',
  pairedSchool: '结对学校',
  teachers: '授课教师',
};
export const IMPORT_COLUMN_EN: Record<ImportColumn, string> = {
  day: 'date',
  kind: 'type',
  place: 'place',
  people: 'people',
  description: 'description',
  subject: 'subject',
  pairedSchool: 'paired school',
  teachers: 'teachers',
};
export const IMPORT_REQUIRED_COLUMNS: readonly ImportColumn[] = ['day', 'kind', 'place'];

/** The 类型 a spreadsheet says, first the template's own word for each kind. */
export const IMPORT_KIND_WORDS: Record<OfflineActivityKind, readonly string[]> = {
  send_teaching: ['送教下乡', '送教', 'send_teaching', 'sendteaching', 'teachingvisit'],
  teacher_visit: ['教师互访', '互访', 'teacher_visit', 'teachervisit', 'teacherexchange'],
  offline_research: ['线下教研', '教研', '教研活动', 'offline_research', 'offlineresearch', 'research'],
  student_exchange: ['学生互访', '手拉手', '学生手拉手', 'student_exchange', 'studentexchange', 'studentvisit'],
  mentoring: ['师徒活动', '师徒结对', '师徒结对活动', '师徒', 'mentoring', 'mentor'],
};

export const ACTIVITY_IMPORT_CODES = [
  'file', // the file itself cannot be read (row 0)
  'missing_column',
  'no_rows',
  'too_many_rows',
  'required',
  'invalid_date',
  'unknown_kind',
  'too_long',
  'too_many',
  'unknown_paired_school',
  'unknown_teacher',
  'ambiguous_teacher',
  'invalid',
  'already_logged', // a warning only: the school has an activity of that kind, day and place
] as const;
export type ActivityImportCode = (typeof ACTIVITY_IMPORT_CODES)[number];

/** One problem of one row: the row as the spreadsheet numbers it (the header is row 1), the column as written in the file. */
export interface ActivityImportIssue {
  row: number;
  column: string | null;
  code: ActivityImportCode;
  /** zh-CN, as shown to the school. */
  message: string;
  messageEn: string;
}

/** A row as it is (or would be) imported. */
export interface ActivityImportRow {
  row: number;
  kind: OfflineActivityKind;
  day: string;
  place: string;
  people: string[];
  description: string;
  subject: string | null;
  pairingId: string | null;
  pairedSchoolName: string | null;
  teacherIds: string[];
  teacherNames: string[];
}

export interface ActivityImportResult {
  dryRun: boolean;
  /** How many activities were written (0 on a dry run). */
  imported: number;
  rows: ActivityImportRow[];
  /** The new activities' ids in the file's order (none on a dry run). */
  activityIds: string[];
  warnings: ActivityImportIssue[];
  encoding: 'utf-8' | 'gbk' | 'xlsx';
}

export interface ActivityImportFailure {
  error: ApiError;
  rowErrors: ActivityImportIssue[];
  /** All the errors found (rowErrors shows the first ACTIVITY_IMPORT_LIMITS.errorsShownMax). */
  errorCount: number;
  encoding?: ActivityImportResult['encoding'];
}

export const activityImportQuery = z
  .object({
    dryRun: z.enum(['0', '1']).default('0'),
    /** What the file is meant to be, when the bytes leave it open (a CSV that starts like a zip is refused as .xlsx). */
    format: z.enum(['csv', 'xlsx']).optional(),
  })
  .strict();
