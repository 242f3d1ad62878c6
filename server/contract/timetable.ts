// 大课表: shapes shared by server and client, and the zod schemas that validate them at the edge.
import { z } from 'zod';

/** A message in both UI languages: reasons and import errors are shown to people as they are. */
export interface Msg {
  zh: string;
  en: string;
}

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'day is YYYY-MM-DD').refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'not a real date');
const minuteOfDay = z.number().int().min(0).max(1440);
const id = z.string().min(1).max(64);

export const weekdaySchema = z.number().int().min(1).max(7); // ISO: 1 = Monday … 7 = Sunday

export const periodSchema = z
  .object({ weekday: weekdaySchema, period: z.number().int().min(1).max(20), startMin: minuteOfDay, endMin: minuteOfDay })
  .refine((p) => p.endMin > p.startMin, { message: 'a period must end after it starts' });
export type BellPeriod = z.infer<typeof periodSchema>;

export const classSlotInput = z.object({
  weekday: weekdaySchema,
  period: z.number().int().min(1).max(20),
  classroomId: id,
  subject: z.string().trim().min(1).max(40),
  grade: z.number().int().min(1).max(12),
  teacherName: z.string().trim().max(60).default(''),
  teacherId: id.nullable().optional(),
});
export type ClassSlotInput = z.input<typeof classSlotInput>;

export interface ClassSlot {
  id: string;
  schoolId: string;
  weekday: number;
  period: number;
  classroomId: string;
  classroomName: string;
  subject: string;
  grade: number;
  teacherName: string;
  teacherId: string | null;
}

export const calendarDaySchema = z.object({
  day,
  kind: z.enum(['holiday', 'exam']),
  note: z.string().trim().max(100).default(''),
});
export type CalendarDay = z.infer<typeof calendarDaySchema>;

export const termSchema = z
  .object({ name: z.string().trim().min(1).max(60), startsOn: day, endsOn: day })
  .refine((t) => t.endsOn >= t.startsOn, { message: 'a term must end on or after its first day' });
export type TermInput = z.infer<typeof termSchema>;
export interface Term extends TermInput {
  id: string;
}

export interface SchoolTimetable {
  schoolId: string;
  schoolName: string;
  kind: 'city' | 'rural';
  bells: BellPeriod[];
  classes: ClassSlot[];
  calendar: CalendarDay[];
  terms: Term[];
}

export const saveBellsBody = z.object({ periods: z.array(periodSchema).max(7 * 20) });
export const saveClassesBody = z.object({ classes: z.array(classSlotInput).max(2000) });
export const saveCalendarBody = z.object({ days: z.array(calendarDaySchema).max(400) });
export const saveTermsBody = z.object({ terms: z.array(termSchema).max(20) });

export const IMPORT_KINDS = ['bells', 'classes', 'calendar'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];
export const importQuery = z.object({ kind: z.enum(IMPORT_KINDS), format: z.enum(['csv', 'xlsx']).optional() });

export interface RowError {
  /** Row number as a spreadsheet shows it (the header is row 1 when it is the first line). */
  row: number;
  column?: string;
  message: Msg;
}

export interface ImportResult {
  kind: ImportKind;
  imported: number;
  /** How a CSV was decoded, so a GBK file read as GBK is said out loud. */
  encoding: 'utf-8' | 'gbk' | 'xlsx';
}

/** One matching slot: a city class and a rural class that can meet. */
export interface Slot {
  weekday: number;
  city: ClassSlot;
  rural: ClassSlot;
  cityTime: { startMin: number; endMin: number };
  ruralTime: { startMin: number; endMin: number };
  /** The shared time: later start to earlier end. */
  startMin: number;
  endMin: number;
  misalignMin: number;
}

export const DEFAULT_ALLOWANCE_MIN = 5;
const allowance = z.coerce.number().int().min(0).max(30);

export const weekQuery = z.object({ allowanceMin: allowance.default(DEFAULT_ALLOWANCE_MIN) });

export const planBody = z
  .object({
    cityClassId: id,
    ruralClassId: id,
    from: day,
    to: day,
    allowanceMin: allowance.default(DEFAULT_ALLOWANCE_MIN),
    title: z.string().trim().min(1).max(120).optional(),
  })
  .refine((b) => b.to >= b.from, { message: '`to` must not be before `from`' })
  .refine((b) => Date.parse(b.to) - Date.parse(b.from) <= 366 * 86_400_000, { message: 'a series spans at most a year' });
export type PlanBody = z.input<typeof planBody>;

export const CLASH_CODES = [
  'teacher_double_booked',
  'classroom_double_booked',
  'bell_misaligned',
  'holiday',
  'exam_day',
  'outside_term',
  'past',
  'no_teacher_account',
] as const;
export type ClashCode = (typeof CLASH_CODES)[number];

export interface Clash {
  code: ClashCode;
  message: Msg;
  /** Which school's calendar, teacher or classroom it is about, when it is about one side. */
  side?: 'city' | 'rural';
}

export interface PlannedDate {
  day: string;
  startsAt: string; // ISO instant
  endsAt: string;
  /** ok: will be scheduled; skipped: a calendar says no class that day; clash: double-booked. */
  status: 'ok' | 'skipped' | 'clash';
  reasons: Clash[];
}

export interface TermPlan {
  weekday: number;
  startMin: number;
  endMin: number;
  /** Clashes that concern every date (bell misalignment): nothing can be scheduled. */
  blocking: Clash[];
  dates: PlannedDate[];
}

export interface ScheduleResult {
  seriesId: string;
  plan: TermPlan;
  lessonIds: string[];
}

export const FEED_KINDS = ['teacher', 'classroom'] as const;
export type FeedKind = (typeof FEED_KINDS)[number];
export const feedTokenBody = z.object({ kind: z.enum(FEED_KINDS), id });
export interface FeedTokenResponse {
  url: string;
  createdAt: string;
}
export interface FeedStatusResponse {
  exists: boolean;
  createdAt: string | null;
}

export const schoolParam = z.object({ schoolId: id });
export const pairingParam = z.object({ pairingId: id });
