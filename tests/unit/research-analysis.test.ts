// S-T, talk/silence, Flanders and rubric figures against hand-computed examples.
import { describe, expect, it } from 'vitest';
import { flandersRatios, flandersSequence } from '../../server/contract/analysis/flanders.js';
import { kendallW, summariseRubric } from '../../server/contract/analysis/rubric.js';
import { analyseSt, classify, sampleCount, stCurve, stFigures, type StCode } from '../../server/contract/analysis/st.js';
import { analyseTalk } from '../../server/contract/analysis/talk.js';
import type { SpeakerTimeline } from '../../server/contract/analysis/timeline.js';

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
