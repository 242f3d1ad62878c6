// Voice-activity timelines on the lesson clock: one per audio track, merged per speaker.
export type Span = [startMs: number, endMs: number];

export interface SpeakerTimeline {
  trackId: string;
  speaker: 'teacher' | 'classroom';
  classroomId: string | null;
  /** Sorted, merged speech spans on the lesson clock. */
  segments: Span[];
  /** Spans where attribution was unsure: samples deciding on them carry a lower confidence. */
  uncertain?: Span[];
}

/** Union of spans, sorted and merged (touching spans join). */
export function unionSpans(spans: Span[]): Span[] {
  const sorted = spans.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const out: Span[] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/**
 * Speech ms of `spans` (sorted, merged) inside consecutive cells [k*cell, (k+1)*cell) for
 * k < cells — one sweep, O(spans + cells), so 45 minutes on a 3-second grid is instant.
 */
export function speechPerCell(spans: Span[], cellMs: number, cells: number): Float64Array {
  const out = new Float64Array(cells);
  for (const [a, b] of spans) {
    let k = Math.max(0, Math.floor(a / cellMs));
    for (; k < cells && k * cellMs < b; k++) {
      const lo = Math.max(a, k * cellMs);
      const hi = Math.min(b, (k + 1) * cellMs);
      if (hi > lo) out[k] += hi - lo;
    }
  }
  return out;
}

/** Teacher spans (all teacher tracks) and spans per classroom (all of its tracks). */
export function bySpeaker(tracks: SpeakerTimeline[]): { teacher: Span[]; classrooms: Map<string, Span[]> } {
  const teacher: Span[] = [];
  const classrooms = new Map<string, Span[]>();
  for (const t of tracks) {
    if (t.speaker === 'teacher') teacher.push(...t.segments);
    else {
      const key = t.classroomId ?? t.trackId;
      classrooms.set(key, [...(classrooms.get(key) ?? []), ...t.segments]);
    }
  }
  return { teacher: unionSpans(teacher), classrooms: new Map([...classrooms].map(([k, v]) => [k, unionSpans(v)])) };
}
