// The issue-13 figures of one scripted lesson that went through the product (RTP or Chromium):
// its S-T codes against the script's truth on the lesson clock, and per track the attributed
// and raw speech against that room's own scripted speech. Pure; the CI checks assert on it and
// the benchmark writes it.
import { analyseSt, type LessonType, type StCode } from '../../server/contract/analysis/st.js';
import type { SpeakerTimeline, Span } from '../../server/contract/analysis/timeline.js';
import type { LessonAnalysis } from '../../server/contract/research.js';
import { chError, frameScores, rtError, stAgreement, unambiguousSamples } from './analysisAccuracy.js';

/** A recorded track matched to its scripted room, with the room's own speech on the lesson clock. */
export interface ScoredTrackInput {
  trackId: string;
  roomId: string;
  speaker: 'teacher' | 'classroom';
  classroomId: string | null;
  offsetMs: number;
  truth: Span[];
}

export interface LessonScore {
  codes: string;
  pointCodes: string;
  want: string;
  unambiguous: number;
  samples: number;
  stAgreement: number;
  rtError: number;
  chError: number;
  truthType: LessonType | null;
  type: LessonType | null;
  tracks: Array<{
    room: string;
    offsetMs: number;
    attribution: 'attributed' | 'raw';
    recall: number;
    falseAlarm: number;
    rawRecall: number;
    rawFalseAlarm: number;
    leaks: string[];
  }>;
}

export function scoreScriptedLesson(tracks: ScoredTrackInput[], window: LessonAnalysis, point: LessonAnalysis): LessonScore {
  const D = window.durationMs;
  const truth: SpeakerTimeline[] = tracks.map((t) => ({ trackId: t.trackId, speaker: t.speaker, classroomId: t.classroomId, segments: t.truth }));
  const truthSt = analyseSt(truth, D, window.st.intervalS);
  const want: StCode[] = truthSt.samples.map((s) => s.auto);
  const codes: StCode[] = window.st.samples.map((s) => s.auto);
  const idx = unambiguousSamples(truth, D, window.st.intervalS);
  return {
    codes: codes.join(''),
    pointCodes: point.st.samples.map((s) => s.auto).join(''),
    want: want.join(''),
    unambiguous: idx.length,
    samples: want.length,
    stAgreement: stAgreement(codes, want, idx),
    rtError: rtError(codes, want),
    chError: chError(codes, want),
    truthType: truthSt.auto.type,
    type: window.st.auto.type,
    tracks: tracks.map((t) => {
      const track = window.tracks.find((v) => v.trackId === t.trackId);
      if (!track) throw new Error(`track ${t.trackId} (${t.roomId}) is not in the analysis`);
      const a = frameScores(t.truth, track.segments, D);
      const r = frameScores(t.truth, track.raw, D);
      return {
        room: t.roomId,
        offsetMs: t.offsetMs,
        attribution: track.attribution,
        recall: a.recall,
        falseAlarm: a.falseAlarm,
        rawRecall: r.recall,
        rawFalseAlarm: r.falseAlarm,
        leaks: track.leaks.map((l) => `${l.gainDb.toFixed(0)} dB ${l.lagMs} ms`),
      };
    }),
  };
}
