// S-T, talk/silence, Flanders and rubric figures against hand-computed examples.
import { describe, expect, it } from 'vitest';
import { flandersRatios, flandersSequence } from '../../server/contract/analysis/flanders.js';
import { kendallW, summariseRubric } from '../../server/contract/analysis/rubric.js';
import { analyseSt, classify, sampleCount, stCurve, stFigures, type StCode } from '../../server/contract/analysis/st.js';
import { analyseTalk } from '../../server/contract/analysis/talk.js';
import type { SpeakerTimeline } from '../../server/contract/analysis/timeline.js';
import { nearestBoundaryMs, overlapMs } from '../../server/contract/analysis/spanQuery.js';
import { LOW_CONFIDENCE, pointConfidence, windowConfidence } from '../../server/contract/analysis/stConfidence.js';

const codes = (s: string) => [...s] as StCode[];

describe('S-T figures', () => {
  it('mixed example: TTSSTS → Rt 0.5, g 4, Ch 0.5, 对话型', () => {
    expect(stFigures(codes('TTSSTS'))).toEqual({ n: 6, nT: 3, runs: 4, rt: 0.5, ch: 0.5, type: '对话型' });
  });
  it('all T: Rt 1, Ch 0, 讲授型', () => {
    expect(stFigures(codes('TTTTTTTTTT'))).toEqual({ n: 10, nT: 10, runs: 1, rt: 1, ch: 0, type: '讲授型' });
  });
  it('all S: Rt 0, Ch 0, 练习型', () => {
    expect(stFigures(codes('SSSSSSSS'))).toEqual({ n: 8, nT: 0, runs: 1, rt: 0, ch: 0, type: '练习型' });
  });
  it('alternating: Rt 0.5, Ch 0.9, 对话型', () => {
    expect(stFigures(codes('TSTSTSTSTS'))).toMatchObject({ runs: 10, rt: 0.5, ch: 0.9, type: '对话型' });
  });
  it('empty lesson: no samples, Rt 0, Ch 0, no type', () => {
    expect(stFigures([])).toEqual({ n: 0, nT: 0, runs: 0, rt: 0, ch: 0, type: null });
    expect(analyseSt([], 0).samples).toEqual([]);
  });
  it('thresholds are inclusive and Rt decides before Ch', () => {
    expect(stFigures(codes('TTTSSSSSSS'))).toMatchObject({ rt: 0.3, type: '练习型' });
    expect(stFigures(codes('TTTTTTTSSS'))).toMatchObject({ rt: 0.7, type: '讲授型' });
    expect(stFigures(codes('TTSSTTSSST'))).toMatchObject({ rt: 0.5, ch: 0.4, type: '对话型' });
    expect(stFigures(codes('TTTSSTTSSS'))).toMatchObject({ rt: 0.5, ch: 0.3, type: '混合型' });
    expect(classify(0.2, 0.9, 10)).toBe('练习型');
    expect(classify(0.8, 0.9, 10)).toBe('讲授型');
  });
  it('S-T curve steps right for T and up for S', () => {
    expect(stCurve(codes('TTS'))).toEqual([[0, 0], [1, 0], [2, 0], [2, 1]]);
  });
  it('sample count: full windows plus a last window of at least half an interval', () => {
    expect(sampleCount(45 * 60_000, 30)).toBe(90);
    expect(sampleCount(100_000, 30)).toBe(3);
    expect(sampleCount(110_000, 30)).toBe(4);
    expect(sampleCount(45 * 60_000, 15)).toBe(180);
    expect(sampleCount(45 * 60_000, 60)).toBe(45);
  });
});

const lesson: SpeakerTimeline[] = [
  { trackId: 't', speaker: 'teacher', classroomId: null, segments: [[0, 60_000], [120_000, 150_000]] },
  { trackId: 'a', speaker: 'classroom', classroomId: 'A', segments: [[60_000, 90_000]] },
  { trackId: 'b', speaker: 'classroom', classroomId: 'B', segments: [[125_000, 145_000]] },
];

describe('S-T from voice activity', () => {
  it('codes the main speaker per window; silence is S', () => {
    const a = analyseSt(lesson, 150_000, 30);
    expect(a.samples.map((s) => s.code).join('')).toBe('TTSST');
    expect(a.samples[2]).toMatchObject({ teacherMs: 0, studentMs: 30_000, studentClassroomId: 'A' });
    expect(a.samples[4]).toMatchObject({ teacherMs: 30_000, studentMs: 20_000, studentClassroomId: 'B' });
    expect(a.figures).toMatchObject({ rt: 0.6, runs: 3, ch: 0.4, type: '对话型' });
  });
  it('a correction recomputes the figures and keeps the automatic coding', () => {
    const a = analyseSt(lesson, 150_000, 30, new Map([[3, 'T']]));
    expect(a.samples[3]).toMatchObject({ auto: 'S', corrected: 'T', code: 'T' });
    expect(a.auto).toMatchObject({ rt: 0.6, ch: 0.4 });
    expect(a.figures).toMatchObject({ nT: 4, rt: 0.8, runs: 3, ch: 0.4, type: '讲授型' });
  });
  it('15 s sampling doubles the samples', () => {
    expect(analyseSt(lesson, 150_000, 15).samples.map((s) => s.code).join('')).toBe('TTTTSSSSTT');
  });
});

describe('S-T confidence (window dominance)', () => {
  const teacher = (segments: Array<[number, number]>, uncertain: Array<[number, number]> = []): SpeakerTimeline => ({ trackId: 't', speaker: 'teacher', classroomId: null, segments, uncertain });
  const room = (segments: Array<[number, number]>, uncertain: Array<[number, number]> = []): SpeakerTimeline => ({ trackId: 'a', speaker: 'classroom', classroomId: 'A', segments, uncertain });
  it('a window decided by a 1-s margin is less confident than one decided by 20 s', () => {
    // Window 0: teacher 15.5 s vs classroom 14.5 s (T by 1 s); window 1: teacher 25 s vs 5 s (T by 20 s).
    const a = analyseSt([teacher([[0, 15_500], [30_000, 55_000]]), room([[15_500, 30_000], [55_000, 60_000]])], 60_000, 30);
    expect(a.samples.map((s) => s.auto).join('')).toBe('TT');
    expect(a.method).toBe('window');
    const [close, clear] = a.samples.map((s) => s.confidence);
    expect(close).toBeCloseTo(1000 / 15_000, 5);
    expect(clear).toBe(1);
    expect(close).toBeLessThan(LOW_CONFIDENCE);
  });
  it('little teacher speech is an unsure T; a window without teacher speech is a sure S', () => {
    const a = analyseSt([teacher([[0, 2000]]), room([[40_000, 42_000]])], 60_000, 30);
    expect(a.samples.map((s) => s.auto).join('')).toBe('TS');
    expect(a.samples[0].confidence).toBeCloseTo(2000 / 15_000, 5);
    expect(a.samples[1].confidence).toBe(1);
  });
  it('uncertain spans of the deciding tracks lower it in proportion; other windows keep theirs', () => {
    const sure = analyseSt([teacher([[0, 30_000]]), room([])], 60_000, 30);
    const unsure = analyseSt([teacher([[0, 30_000]]), room([], [[0, 15_000]])], 60_000, 30);
    expect(sure.samples[0].confidence).toBe(1);
    expect(unsure.samples[0].confidence).toBeCloseTo(0.5, 5);
    expect(unsure.samples[1].confidence).toBe(1);
    expect(windowConfidence({ teacherMs: 30_000, studentMs: 0, windowMs: 30_000, uncertainMs: 30_000 })).toBe(0);
  });
});

describe('S-T point sampling', () => {
  const tracks = (t: Array<[number, number]>, c: Array<[number, number]>, uncertain: Array<[number, number]> = []): SpeakerTimeline[] => [
    { trackId: 't', speaker: 'teacher', classroomId: null, segments: t, uncertain },
    { trackId: 'a', speaker: 'classroom', classroomId: 'A', segments: c },
  ];
  it('codes what is heard at each window midpoint, not the window’s main speaker', () => {
    // Window 0: the classroom speaks 0–20 s, the teacher 20–30 s: dominance says S, the
    // instant at 15 s hears the classroom → S. Window 1: teacher 30–40 s, then silence: dominance
    // says T (the teacher is the only speaker), the instant at 45 s is silent → S.
    const tl = tracks([[20_000, 40_000]], [[0, 20_000]]);
    expect(analyseSt(tl, 60_000, 30).samples.map((s) => s.auto).join('')).toBe('ST');
    const p = analyseSt(tl, 60_000, 30, new Map(), 'point');
    expect(p.method).toBe('point');
    expect(p.samples.map((s) => s.auto).join('')).toBe('SS');
    expect(p.samples.map((s) => s.atMs)).toEqual([15_000, 45_000]);
    expect(p.samples[0]).toMatchObject({ teacherMs: 0, studentMs: 1000, studentClassroomId: 'A' });
  });
  it('inside a long teacher span: T with high confidence; next to a boundary: low', () => {
    const long = analyseSt(tracks([[0, 60_000]], []), 60_000, 30, new Map(), 'point');
    expect(long.samples.map((s) => s.auto).join('')).toBe('TT');
    expect(long.samples[0].confidence).toBe(1);
    const edge = analyseSt(tracks([[0, 15_800]], [[15_800, 30_000]]), 30_000, 30, new Map(), 'point');
    expect(edge.samples[0].auto).toBe('T');
    expect(edge.samples[0].confidence).toBeCloseTo((LOW_CONFIDENCE * 800) / 2000, 5);
    expect(edge.samples[0].confidence).toBeLessThan(LOW_CONFIDENCE);
  });
  it('a word gap at the instant does not flip it (majority of ±0.5 s)', () => {
    const a = analyseSt(tracks([[0, 14_900], [15_200, 30_000]], []), 30_000, 30, new Map(), 'point');
    expect(a.samples[0]).toMatchObject({ auto: 'T', teacherMs: 700 });
    const b = analyseSt(tracks([[0, 14_700]], []), 30_000, 30, new Map(), 'point');
    expect(b.samples[0]).toMatchObject({ auto: 'S', teacherMs: 200 });
  });
  it('a classroom speaking more at the instant wins; uncertainty at the instant lowers the confidence', () => {
    const a = analyseSt(tracks([[14_800, 30_000]], [[0, 30_000]]), 30_000, 30, new Map(), 'point');
    expect(a.samples[0].auto).toBe('S');
    const sure = analyseSt(tracks([[0, 30_000]], []), 30_000, 30, new Map(), 'point');
    const unsure = analyseSt(tracks([[0, 30_000]], [], [[14_750, 15_250]]), 30_000, 30, new Map(), 'point');
    expect(sure.samples[0].confidence).toBe(1);
    expect(unsure.samples[0].confidence).toBeCloseTo(0.5, 5);
  });
  it('corrections apply by index in both methods', () => {
    const a = analyseSt(lesson, 150_000, 30, new Map([[3, 'T']]), 'point');
    expect(a.samples[3]).toMatchObject({ corrected: 'T', code: 'T' });
  });
  it('the confidence ramps: 0 at a boundary, 0.6 at 2 s, 1 from 5 s; none at all is 1', () => {
    expect(pointConfidence({ boundaryMs: 0, uncertainShare: 0 })).toBe(0);
    expect(pointConfidence({ boundaryMs: 2000, uncertainShare: 0 })).toBeCloseTo(LOW_CONFIDENCE, 5);
    expect(pointConfidence({ boundaryMs: 3500, uncertainShare: 0 })).toBeCloseTo(0.8, 5);
    expect(pointConfidence({ boundaryMs: 5000, uncertainShare: 0 })).toBe(1);
    expect(pointConfidence({ boundaryMs: Infinity, uncertainShare: 0.25 })).toBeCloseTo(0.75, 5);
  });
  it('span queries: overlap and nearest boundary', () => {
    const spans: Array<[number, number]> = [[0, 10], [20, 30], [50, 60]];
    expect(overlapMs(spans, 5, 25)).toBe(10);
    expect(overlapMs(spans, 30, 50)).toBe(0);
    expect(overlapMs(spans, -100, 100)).toBe(30);
    expect(nearestBoundaryMs(spans, 24)).toBe(4);
    expect(nearestBoundaryMs(spans, 41)).toBe(9);
    expect(nearestBoundaryMs(spans, 100)).toBe(40);
    expect(nearestBoundaryMs([], 5)).toBe(Infinity);
  });
});

describe('talk and silence on a 3-s grid', () => {
  it('teacher, student, silence shares and per-classroom talk', () => {
    const tracks: SpeakerTimeline[] = [
      { trackId: 't', speaker: 'teacher', classroomId: null, segments: [[0, 3000], [3000, 3500]] },
      { trackId: 'a', speaker: 'classroom', classroomId: 'A', segments: [[3000, 6000], [6000, 7000]] },
      { trackId: 'b', speaker: 'classroom', classroomId: 'B', segments: [[9000, 12_000]] },
    ];
    const t = analyseTalk(tracks, 12_000);
    expect(t.cells).toEqual(['T', 'S', '-', 'S']);
    expect(t.cellClassroom).toEqual([null, 'A', null, 'B']);
    expect([t.teacherPct, t.studentPct, t.silencePct]).toEqual([0.25, 0.5, 0.25]);
    expect(t.teacherSpeechS).toBe(3.5);
    expect(t.classrooms).toEqual([
      { classroomId: 'A', speechS: 4, cells: 1, share: 0.25, spans: [[3000, 7000]] },
      { classroomId: 'B', speechS: 3, cells: 1, share: 0.25, spans: [[9000, 12_000]] },
    ]);
  });
  it('an empty lesson has no cells and zero shares', () => {
    expect(analyseTalk([], 0)).toMatchObject({ cells: [], teacherPct: 0, studentPct: 0, silencePct: 0 });
  });
});

describe('Flanders ratios', () => {
  it('hand-computed example', () => {
    const r = flandersRatios([5, 5, 4, 8, 8, 10, 2, 6]);
    expect(r.total).toBe(8);
    expect(r.teacherTalk).toBeCloseTo(5 / 8);
    expect(r.studentTalk).toBeCloseTo(2 / 8);
    expect(r.silence).toBeCloseTo(1 / 8);
    expect(r.indirectDirect).toBeCloseTo(2 / 3);
    expect(r.positiveNegative).toBeCloseTo(1);
    expect(r.questioning).toBeCloseTo(1 / 3);
    expect(r.pupilInitiation).toBe(0);
    expect(r.matrix[4][4]).toBe(1); // 5 → 5
    expect(r.matrix[7][7]).toBe(1); // 8 → 8
    expect(r.matrix.flat().reduce((s, x) => s + x, 0)).toBe(7);
  });
  it('edge cases: empty, all silence, no direct talk', () => {
    expect(flandersRatios([])).toMatchObject({ total: 0, teacherTalk: 0, studentTalk: 0, silence: 0, indirectDirect: null, questioning: null });
    expect(flandersRatios([10, 10, 10])).toMatchObject({ silence: 1, teacherTalk: 0, pupilInitiation: null });
    expect(flandersRatios([4, 4, 9])).toMatchObject({ indirectDirect: null, questioning: 1, pupilInitiation: 1 });
  });
  it('builds the 3-s sequence from coded annotations', () => {
    const seq = flandersSequence(
      [
        { code: 'F5', atMs: 0, endMs: 9000 },
        { code: 'F4', atMs: 3000, endMs: null },
        { code: 'T', atMs: 0, endMs: null },
        { code: 'F10', atMs: 12_000, endMs: 15_000 },
      ],
      15_000,
    );
    expect(seq).toEqual([5, 4, 5, 10]);
  });
});

describe('rubric agreement (Kendall W)', () => {
  const crit = ['a', 'b', 'c'];
  it('identical rankings → 1, reversed → 0', () => {
    const r = (id: string, a: number, b: number, c: number) => ({ raterId: id, scores: { a, b, c } });
    expect(kendallW(crit, [r('x', 1, 2, 3), r('y', 2, 3, 5)])).toBeCloseTo(1);
    expect(kendallW(crit, [r('x', 1, 2, 3), r('y', 3, 2, 1)])).toBeCloseTo(0);
  });
  it('ties are corrected: hand-computed 78/84', () => {
    expect(kendallW(crit, [{ raterId: 'x', scores: { a: 1, b: 1, c: 2 } }, { raterId: 'y', scores: { a: 1, b: 2, c: 3 } }])).toBeCloseTo(78 / 84);
  });
  it('undefined with one rater or when nobody ranks', () => {
    expect(kendallW(crit, [{ raterId: 'x', scores: { a: 1, b: 2, c: 3 } }])).toBeNull();
    expect(kendallW(crit, [{ raterId: 'x', scores: { a: 3, b: 3, c: 3 } }, { raterId: 'y', scores: { a: 4, b: 4, c: 4 } }])).toBeNull();
  });
  it('means and sample spread per criterion', () => {
    const s = summariseRubric(crit, [
      { raterId: 'x', scores: { a: 4, b: 3, c: 5 } },
      { raterId: 'y', scores: { a: 2, b: 3 } },
    ]);
    expect(s.criteria[0]).toEqual({ criterionId: 'a', n: 2, mean: 3, sd: Math.SQRT2, min: 2, max: 4 });
    expect(s.criteria[2]).toMatchObject({ n: 1, mean: 5, sd: null });
    expect(s.overall).toBeCloseTo((3 + 3 + 5) / 3);
  });
});
