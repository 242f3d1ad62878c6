// Slot matching: where a city class and a rural class of the same subject and grade are both in
// session, with their bells at most `allowanceMin` apart. Pure.
import type { BellPeriod, ClassSlot, Slot } from '../contract/timetable.js';

export type Bells = Pick<BellPeriod, 'weekday' | 'period' | 'startMin' | 'endMin'>[];

export function periodTime(bells: Bells, weekday: number, period: number): { startMin: number; endMin: number } | null {
  const p = bells.find((b) => b.weekday === weekday && b.period === period);
  return p ? { startMin: p.startMin, endMin: p.endMin } : null;
}

/** Same subject (ignoring spaces and case) and grade. */
export function sameCourse(a: Pick<ClassSlot, 'subject' | 'grade'>, b: Pick<ClassSlot, 'subject' | 'grade'>): boolean {
  const norm = (s: string) => s.replace(/\s+/g, '').toLowerCase();
  return a.grade === b.grade && norm(a.subject) === norm(b.subject);
}

/** Both in session for some time on one weekday, and how far apart their bells ring. */
export function pairTiming(
  a: { weekday: number; startMin: number; endMin: number },
  b: { weekday: number; startMin: number; endMin: number },
): { overlapMin: number; misalignMin: number; startMin: number; endMin: number } | null {
  if (a.weekday !== b.weekday) return null;
  const startMin = Math.max(a.startMin, b.startMin);
  const endMin = Math.min(a.endMin, b.endMin);
  if (endMin <= startMin) return null;
  return { overlapMin: endMin - startMin, misalignMin: Math.abs(a.startMin - b.startMin), startMin, endMin };
}

export function findSlots(
  city: { classes: ClassSlot[]; bells: Bells },
  rural: { classes: ClassSlot[]; bells: Bells },
  allowanceMin: number,
): Slot[] {
  const out: Slot[] = [];
  for (const c of city.classes) {
    const ct = periodTime(city.bells, c.weekday, c.period);
    if (!ct) continue;
    for (const r of rural.classes) {
      if (!sameCourse(c, r)) continue;
      const rt = periodTime(rural.bells, r.weekday, r.period);
      if (!rt) continue;
      const t = pairTiming({ weekday: c.weekday, ...ct }, { weekday: r.weekday, ...rt });
      if (!t || t.misalignMin > allowanceMin) continue;
      out.push({ weekday: c.weekday, city: c, rural: r, cityTime: ct, ruralTime: rt, startMin: t.startMin, endMin: t.endMin, misalignMin: t.misalignMin });
    }
  }
  return out.sort((a, b) => a.weekday - b.weekday || a.startMin - b.startMin || a.city.classroomName.localeCompare(b.city.classroomName));
}
