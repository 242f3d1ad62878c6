// Confidence of an automatic S-T sample (0–1): how far the sample is from flipping, lowered where
// the cross-track attribution was unsure. The analysis page lists the least confident samples
// first so a researcher checks those (docs/research.md, "Confidence of a sample").

/** Below this the page lists a sample as 低置信度 (and the point ramp below crosses it at 2 s). */
export const LOW_CONFIDENCE = 0.6;

/** Point method: a speech boundary this close to the instant makes the code low-confidence. */
export const POINT_NEAR_MS = 2000;
/** Point method: from this distance on, the boundary no longer lowers the confidence. */
export const POINT_SURE_MS = 5000;

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/**
 * Window method. The code compares the teacher's speech with the loudest classroom's in the
 * window, so the margin between them, against half the window, says how much speech would have
 * to be mis-attributed to flip it: 20 s of margin in a 30-s window is sure (1), a 1-s margin is
 * not (0.07). A window that went to T on a little teacher speech is unsure the same way (2 s
 * against none: 0.13) — a cough or a leak residue is enough. A window where the teacher did not
 * speak at all is S whatever the classrooms did, so its margin is 1.
 * `uncertainMs` is the time in the window where the deciding tracks (the teacher's, and the
 * classroom's with the most uncertainty there) have uncertain attribution; its share of the deciding speech (at least half a
 * window, so a few uncertain ms in a quiet window do not zero it) lowers the confidence in
 * proportion: all of it uncertain → 0.
 */
export function windowConfidence(s: { teacherMs: number; studentMs: number; windowMs: number; uncertainMs: number }): number {
  const half = Math.max(1, s.windowMs / 2);
  const margin = s.teacherMs === 0 ? 1 : clamp01(Math.abs(s.teacherMs - s.studentMs) / half);
  const uncertainShare = clamp01(s.uncertainMs / Math.max(half, s.teacherMs + s.studentMs));
  return margin * (1 - uncertainShare);
}

/**
 * Point method. The code is what is heard at the instant, so it is as sure as the instant is far
 * from the nearest start or end of the deciding tracks' speech: a boundary within 2 s (the
 * margin the accuracy check also leaves around script boundaries) gives < 0.6, rising
 * linearly from 0 at the boundary; from 2 s to 5 s it rises on to 1. No boundary at all (nobody
 * spoke on those tracks) is 1. `uncertainShare` is the share of the ±0.5-s neighbourhood inside
 * the deciding tracks' uncertain spans; it lowers the confidence in proportion.
 */
export function pointConfidence(s: { boundaryMs: number; uncertainShare: number }): number {
  const d = s.boundaryMs;
  const near =
    d >= POINT_SURE_MS ? 1 : d <= POINT_NEAR_MS ? (LOW_CONFIDENCE * d) / POINT_NEAR_MS : LOW_CONFIDENCE + ((1 - LOW_CONFIDENCE) * (d - POINT_NEAR_MS)) / (POINT_SURE_MS - POINT_NEAR_MS);
  return near * (1 - clamp01(s.uncertainShare));
}
