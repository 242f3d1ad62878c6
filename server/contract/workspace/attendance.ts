// When a synchronous lesson counts toward a pairing's targets (issue 12): it was live, and the
// city school and the rural school were connected at the same time for at least a share of its
// planned length. A lesson started with the rural classroom present for 5 minutes is a lesson
// the city class had alone; a bureau does not count it, and neither do we. Pure: the server
// applies it to the lesson's presence log, the report prints its figures as evidence.

export type Interval = readonly [number, number];

/** One classroom's presence in a lesson: when it was connected (ms on any one clock). */
export interface ClassroomPresence {
  classroomId: string;
  schoolId: string;
  intervals: readonly Interval[];
}

/** Sorted, merged, empty intervals dropped. */
export function unionOf(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** The intersection of two unions (each sorted and merged). */
export function intersect(x: readonly Interval[], y: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const a = Math.max(x[i][0], y[j][0]);
    const b = Math.min(x[i][1], y[j][1]);
    if (b > a) out.push([a, b]);
    if (x[i][1] < y[j][1]) i++;
    else j++;
  }
  return out;
}

export const totalMs = (intervals: readonly Interval[]): number => intervals.reduce((s, [a, b]) => s + (b - a), 0);

export interface SyncLessonAttendance {
  counts: boolean;
  /** Minutes both schools were connected while the lesson was live. */
  jointMin: number;
  /** The minutes that makes the lesson count: share × planned length. */
  neededMin: number;
  classrooms: { classroomId: string; schoolId: string; firstJoinMs: number | null; lastLeaveMs: number | null; connectedMin: number }[];
}

const minutes = (ms: number) => Math.round((ms / 60_000) * 10) / 10;

/** Each classroom's presence while the lesson was live: its intervals, first join, last leave, minutes. */
export function classroomAttendance(liveInterval: Interval | null, presence: readonly ClassroomPresence[]) {
  const live = liveInterval ? [liveInterval] : [];
  return presence.map((p) => {
    const during = intersect(unionOf(p.intervals), live);
    return {
      classroomId: p.classroomId,
      schoolId: p.schoolId,
      during,
      firstJoinMs: during[0]?.[0] ?? null,
      lastLeaveMs: during[during.length - 1]?.[1] ?? null,
      connectedMin: minutes(totalMs(during)),
    };
  });
}

/**
 * Whether a synchronous lesson counts for the pairing city → rural. `live` is when the lesson was
 * live (null: it never started); presence outside it does not count (a classroom waiting in the
 * lobby is not a lesson). `minShare` in (0, 1]: the bureau's configured share of the planned length.
 */
export function syncLessonAttendance(opts: {
  plannedMin: number;
  live: Interval | null;
  citySchoolId: string;
  ruralSchoolId: string;
  presence: readonly ClassroomPresence[];
  minShare: number;
}): SyncLessonAttendance {
  const live = opts.live ? [opts.live] : [];
  const classrooms = classroomAttendance(opts.live, opts.presence).map(({ during: _during, ...c }) => c);
  const schoolUnion = (schoolId: string) => intersect(unionOf(opts.presence.filter((p) => p.schoolId === schoolId).flatMap((p) => p.intervals)), live);
  const jointMs = totalMs(intersect(schoolUnion(opts.citySchoolId), schoolUnion(opts.ruralSchoolId)));
  const neededMs = opts.minShare * opts.plannedMin * 60_000;
  return { counts: live.length > 0 && jointMs >= neededMs, jointMin: minutes(jointMs), neededMin: minutes(neededMs), classrooms };
}
