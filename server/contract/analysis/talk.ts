// Talk and silence on a 3-second grid (Flanders' interval): each cell is teacher talk, student
// talk (attributed to the classroom that spoke most) or silence; plus, per classroom, how much
// it spoke and when.
import { bySpeaker, speechPerCell, unionSpans, type SpeakerTimeline, type Span } from './timeline.js';

export const TALK_CELL_MS = 3000;

export type TalkCell = 'T' | 'S' | '-';

export interface ClassroomTalk {
  classroomId: string;
  /** Total speech of this classroom's tracks, seconds. */
  speechS: number;
  /** Cells coded as this classroom's talk, and their share of all cells. */
  cells: number;
  share: number;
  /** The classroom's speech spans (for the per-track timeline chart). */
  spans: Span[];
}

export interface TalkAnalysis {
  cellMs: number;
  cells: TalkCell[];
  /** For student cells, the classroom that spoke; null elsewhere. */
  cellClassroom: Array<string | null>;
  teacherPct: number;
  studentPct: number;
  silencePct: number;
  teacherSpeechS: number;
  classrooms: ClassroomTalk[];
}

/**
 * A cell is silence when speech (any track) covers less than half of it; otherwise teacher talk
 * if the teacher spoke at least as long as any classroom, else that classroom's talk.
 */
export function analyseTalk(tracks: SpeakerTimeline[], durationMs: number, cellMs = TALK_CELL_MS): TalkAnalysis {
  const n = durationMs > 0 ? Math.ceil(durationMs / cellMs) : 0;
  const { teacher, classrooms } = bySpeaker(tracks);
  const teacherCells = speechPerCell(teacher, cellMs, n);
  const anyCells = speechPerCell(unionSpans(tracks.flatMap((t) => t.segments)), cellMs, n);
  const classCells = [...classrooms].map(([id, spans]) => ({ id, spans, cells: speechPerCell(spans, cellMs, n) }));
  const cells: TalkCell[] = [];
  const cellClassroom: Array<string | null> = [];
  const perClass = new Map<string, number>();
  for (let k = 0; k < n; k++) {
    const len = Math.min(cellMs, durationMs - k * cellMs);
    let best = 0;
    let bestId: string | null = null;
    for (const c of classCells) {
      if (c.cells[k] > best) {
        best = c.cells[k];
        bestId = c.id;
      }
    }
    if (anyCells[k] < len / 2) {
      cells.push('-');
      cellClassroom.push(null);
    } else if (teacherCells[k] >= best) {
      cells.push('T');
      cellClassroom.push(null);
    } else {
      cells.push('S');
      cellClassroom.push(bestId);
      perClass.set(bestId!, (perClass.get(bestId!) ?? 0) + 1);
    }
  }
  const pct = (c: TalkCell) => (n ? cells.filter((x) => x === c).length / n : 0);
  const total = (spans: Span[]) => spans.reduce((s, [a, b]) => s + (b - a), 0) / 1000;
  return {
    cellMs,
    cells,
    cellClassroom,
    teacherPct: pct('T'),
    studentPct: pct('S'),
    silencePct: pct('-'),
    teacherSpeechS: total(teacher),
    classrooms: classCells.map((c) => ({
      classroomId: c.id,
      speechS: total(c.spans),
      cells: perClass.get(c.id) ?? 0,
      share: n ? (perClass.get(c.id) ?? 0) / n : 0,
      spans: c.spans,
    })),
  };
}
