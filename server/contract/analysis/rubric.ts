// Rubric scores from several raters: per criterion the mean and spread, and agreement between
// raters. Agreement is Kendall's W (coefficient of concordance), corrected for ties: rubric
// scores are ordinal levels (e.g. 1–5), raters are few (2–8) and the question a 教研组 asks is
// "do we rank this lesson's strengths and weaknesses alike?" — W answers exactly that without
// assuming interval-scaled scores or normality, as ICC would. It needs ≥ 2 raters and ≥ 2 criteria.
export interface RaterScores {
  raterId: string;
  /** criterionId → score */
  scores: Record<string, number>;
}

export interface CriterionSummary {
  criterionId: string;
  n: number;
  mean: number | null;
  sd: number | null;
  min: number | null;
  max: number | null;
}

export interface RubricSummary {
  raters: number;
  criteria: CriterionSummary[];
  /** Mean over criteria of the criterion means (weights equal). */
  overall: number | null;
  kendallW: number | null;
}

export function summariseRubric(criteria: string[], ratings: RaterScores[]): RubricSummary {
  const summaries = criteria.map((id) => {
    const xs = ratings.map((r) => r.scores[id]).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
    if (!xs.length) return { criterionId: id, n: 0, mean: null, sd: null, min: null, max: null };
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    // Sample SD (n−1): raters are a sample of possible raters; one rater has no spread.
    const sd = xs.length > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1)) : null;
    return { criterionId: id, n: xs.length, mean, sd, min: Math.min(...xs), max: Math.max(...xs) };
  });
  const means = summaries.map((s) => s.mean).filter((m): m is number => m !== null);
  return {
    raters: ratings.length,
    criteria: summaries,
    overall: means.length ? means.reduce((s, x) => s + x, 0) / means.length : null,
    kendallW: kendallW(criteria, ratings),
  };
}

/** Ranks with ties averaged (1-based), and the tie correction term Σ(t³ − t). */
function rank(xs: number[]): { ranks: number[]; ties: number } {
  const idx = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(xs.length);
  let ties = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1][0] === idx[i][0]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[idx[k][1]] = r;
    const t = j - i + 1;
    ties += t ** 3 - t;
    i = j + 1;
  }
  return { ranks, ties };
}

/**
 * Kendall's W over the criteria every included rater scored. null when fewer than 2 complete
 * raters or 2 criteria, or when every rater gave all criteria the same score (no ranking).
 */
export function kendallW(criteria: string[], ratings: RaterScores[]): number | null {
  const complete = ratings.filter((r) => criteria.every((c) => typeof r.scores[c] === 'number'));
  const m = complete.length;
  const n = criteria.length;
  if (m < 2 || n < 2) return null;
  const sums = new Array<number>(n).fill(0);
  let tieSum = 0;
  for (const r of complete) {
    const { ranks, ties } = rank(criteria.map((c) => r.scores[c]));
    ranks.forEach((x, i) => (sums[i] += x));
    tieSum += ties;
  }
  const meanSum = (m * (n + 1)) / 2;
  const s = sums.reduce((acc, x) => acc + (x - meanSum) ** 2, 0);
  const denom = m * m * (n ** 3 - n) - m * tieSum;
  if (denom <= 0) return null;
  return (12 * s) / denom;
}
