// Flanders interaction analysis (FIAS): ten categories coded every 3 s.
//   1 accepts feeling · 2 praises · 3 accepts/uses pupils' ideas · 4 asks questions   (indirect)
//   5 lectures · 6 gives directions · 7 criticises/justifies authority               (direct)
//   8 pupil talk – response · 9 pupil talk – initiation · 10 silence or confusion
export const FLANDERS_CATEGORIES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const;
export type FlandersCategory = (typeof FLANDERS_CATEGORIES)[number];

export interface FlandersRatios {
  total: number;
  counts: Record<FlandersCategory, number>;
  /** (1–7)/all: 教师语言比率 */
  teacherTalk: number;
  /** (8–9)/all: 学生语言比率 */
  studentTalk: number;
  /** 10/all: 沉寂比率 */
  silence: number;
  /** (1–4)/(5–7): indirect vs direct influence; null when no direct talk. */
  indirectDirect: number | null;
  /** (1–3)/(6–7): positive vs negative reinforcement; null when no 6–7. */
  positiveNegative: number | null;
  /** 4/(4+5): questioning share of teacher asking+lecturing; null when neither. */
  questioning: number | null;
  /** 9/(8+9): pupil initiation share of pupil talk; null when no pupil talk. */
  pupilInitiation: number | null;
  /** 10×10 transition matrix (row = from, column = to), Flanders' own representation. */
  matrix: number[][];
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

export function flandersRatios(sequence: FlandersCategory[]): FlandersRatios {
  const counts = Object.fromEntries(FLANDERS_CATEGORIES.map((c) => [c, 0])) as Record<FlandersCategory, number>;
  for (const c of sequence) counts[c]++;
  const sum = (cs: number[]) => cs.reduce((s, c) => s + counts[c as FlandersCategory], 0);
  const total = sequence.length;
  const matrix = FLANDERS_CATEGORIES.map(() => FLANDERS_CATEGORIES.map(() => 0));
  for (let i = 1; i < sequence.length; i++) matrix[sequence[i - 1] - 1][sequence[i] - 1]++;
  return {
    total,
    counts,
    teacherTalk: total ? sum([1, 2, 3, 4, 5, 6, 7]) / total : 0,
    studentTalk: total ? sum([8, 9]) / total : 0,
    silence: total ? counts[10] / total : 0,
    indirectDirect: ratio(sum([1, 2, 3, 4]), sum([5, 6, 7])),
    positiveNegative: ratio(sum([1, 2, 3]), sum([6, 7])),
    questioning: ratio(counts[4], counts[4] + counts[5]),
    pupilInitiation: ratio(counts[9], counts[8] + counts[9]),
    matrix,
  };
}

/**
 * Flanders codes on a 3-s grid from point/range annotations coded F1–F10: each cell takes the
 * code of the latest annotation covering it; uncoded cells are left out.
 */
export function flandersSequence(
  annotations: Array<{ code: string; atMs: number; endMs: number | null }>,
  durationMs: number,
  cellMs = 3000,
): FlandersCategory[] {
  const n = Math.ceil(Math.max(0, durationMs) / cellMs);
  const cells: Array<FlandersCategory | null> = new Array(n).fill(null);
  const coded = annotations
    .map((a) => ({ ...a, cat: Number(/^F(10|[1-9])$/.exec(a.code)?.[1] ?? NaN) }))
    .filter((a) => Number.isInteger(a.cat))
    .sort((x, y) => x.atMs - y.atMs);
  for (const a of coded) {
    const from = Math.floor(a.atMs / cellMs);
    const to = a.endMs != null && a.endMs > a.atMs ? Math.ceil(a.endMs / cellMs) : from + 1;
    for (let k = Math.max(0, from); k < Math.min(n, to); k++) cells[k] = a.cat as FlandersCategory;
  }
  return cells.filter((c): c is FlandersCategory => c !== null);
}
