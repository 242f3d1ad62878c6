// Wall-clock arithmetic in Asia/Shanghai. China has kept UTC+8 without daylight saving since
// 1991, so a school day and a minute of the day map to one instant with a fixed offset.
export const SCHOOL_TZ = 'Asia/Shanghai';
export const SCHOOL_UTC_OFFSET_MIN = 8 * 60;

/** 'HH:MM' → minutes since midnight; null when it is not a time of day. */
export function parseHhmm(s: string): number | null {
  // Trimmed first, so no two whitespace runs can trade characters: one pass, linear in the cell.
  const m = /^(\d{1,2})\s*[:：.时]\s*(\d{2})(?:\s*分)?$/.exec(s.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 24 || min > 59 || (h === 24 && min > 0)) return null;
  return h * 60 + min;
}

export function formatHhmm(min: number): string {
  return `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;
}

/** ISO weekday of a 'YYYY-MM-DD' day: 1 = Monday … 7 = Sunday. */
export function weekdayOf(day: string): number {
  const d = new Date(`${day}T00:00:00Z`).getUTCDay();
  return d === 0 ? 7 : d;
}

export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The instant at `min` minutes past midnight of `day`, Shanghai time. */
export function schoolInstant(day: string, min: number): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) + (min - SCHOOL_UTC_OFFSET_MIN) * 60_000);
}

/** The Shanghai day and minute of an instant. */
export function schoolDayOf(at: Date): { day: string; min: number } {
  const local = new Date(at.getTime() + SCHOOL_UTC_OFFSET_MIN * 60_000);
  return { day: local.toISOString().slice(0, 10), min: local.getUTCHours() * 60 + local.getUTCMinutes() };
}

/** Every day from `from` to `to` inclusive that falls on `weekday`. */
export function weekdaysBetween(from: string, to: string, weekday: number): string[] {
  const out: string[] = [];
  let d = addDays(from, (weekday - weekdayOf(from) + 7) % 7);
  for (; d <= to; d = addDays(d, 7)) out.push(d);
  return out;
}

export const WEEKDAY_ZH = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];
export const WEEKDAY_EN = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
