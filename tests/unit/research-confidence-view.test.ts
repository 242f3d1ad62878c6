// The analysis page's pure parts for confidence and attribution: which samples the 低置信度样本
// list shows and in what order, where a sample seeks the player, and the talk timeline's two
// series (attributed speech over raw voice activity) per track.
import { describe, expect, it } from 'vitest';
import { analyseSt } from '../../server/contract/analysis/st.js';
import type { LessonAnalysis, VoiceTrack } from '../../server/contract/research.js';
import { lowConfidenceSamples, sampleSeekMs } from '../../client/src/research/LowConfidenceList.js';
import { talkTimelineOption } from '../../client/src/research/chartOptions.js';

const teacher: VoiceTrack = {
  trackId: 't',
  speaker: 'teacher',
  classroomId: null,
  label: 'teacher',
  segments: [[0, 15_500], [30_000, 32_000], [60_000, 90_000]],
  raw: [[0, 15_500], [30_000, 32_000], [60_000, 90_000]],
  uncertain: [],
  attribution: 'attributed',
  leaks: [],
};
const room: VoiceTrack = {
  trackId: 'q',
  speaker: 'classroom',
  classroomId: 'Q',
  label: 'mic',
  segments: [[15_500, 30_000]],
  raw: [[0, 30_000], [60_000, 70_000]],
  uncertain: [],
  attribution: 'attributed',
  leaks: [],
};

describe('低置信度样本', () => {
  it('lists samples below 0.6, least confident first, and leaves the sure ones out', () => {
    // Window: sample 0 T by 1 s (0.07), sample 1 T on 2 s (0.13), sample 2 T (1).
    const st = analyseSt([teacher, room], 90_000, 30);
    expect(st.samples.map((s) => s.confidence.toFixed(2))).toEqual(['0.07', '0.13', '1.00']);
    expect(lowConfidenceSamples(st).map((s) => s.index)).toEqual([0, 1]);
    expect(lowConfidenceSamples(st, 0.1).map((s) => s.index)).toEqual([0]);
    const reversed = { ...st, samples: [...st.samples].reverse() };
    expect(lowConfidenceSamples(reversed).map((s) => s.index)).toEqual([0, 1]);
  });
  it('seeks to the window start (window) or to the sampling instant (point)', () => {
    const w = analyseSt([teacher, room], 90_000, 30);
    const p = analyseSt([teacher, room], 90_000, 30, new Map(), 'point');
    expect(sampleSeekMs(w, w.samples[1])).toBe(30_000);
    expect(sampleSeekMs(p, p.samples[1])).toBe(45_000);
  });
});

describe('talk timeline: attributed over raw', () => {
  it('one series of attributed spans and one of raw spans, per track row, with a legend', () => {
    const a = { durationMs: 90_000, tracks: [teacher, room] } as unknown as LessonAnalysis;
    const o = talkTimelineOption(a, (t) => t.label, { attributed: 'A', raw: 'R' }) as { legend: { data: string[] }; series: Array<{ name: string; data: Array<{ value: number[] }> }> };
    expect(o.legend.data).toEqual(['A', 'R']);
    const [attributed, raw] = o.series;
    expect(attributed.name).toBe('A');
    expect(attributed.data.filter((d) => d.value[0] === 1).map((d) => d.value.slice(1).map((m) => Math.round(m * 60_000)))).toEqual([[15_500, 30_000]]);
    expect(raw.data.filter((d) => d.value[0] === 1).map((d) => d.value.slice(1).map((m) => Math.round(m * 60_000)))).toEqual([
      [0, 30_000],
      [60_000, 70_000],
    ]);
  });
});
