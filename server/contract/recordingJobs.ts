// Queues and job payloads of the recording pipeline. Payloads carry everything a processor
// needs (the workers never read the database), with file paths relative to the data folder
// so a worker on another machine resolves them against its own mount of the same storage.
import { z } from 'zod';
import { relPath } from './recordingPaths.js';
import type { TrackLeak } from './research.js';

/**
 * The job types (a BullMQ job's name, and the kind of its output row), each with the queue it
 * goes to. Three queues, each with workers of its own, so that under overload the work degrades
 * in the order — the live lesson, then recording, then processing, and within
 * processing research playback first:
 * - rec-track: what research playback needs: after the end, each track's recorded segments
 *   joined without re-encoding into one WebM file (first: it costs a copy, so playback is ready
 *   seconds after the lesson however far the transcodes are behind), and one recorded segment →
 *   H.264/AAC MPEG-TS for HLS (playback during the lesson, and browsers without WebM): it never
 *   waits behind a composite window or an analysis;
 * - rec-after: the composite's windows and MP4, thumbnails and peaks, one pool of workers
 *   taking jobs by BullMQ priority (JOB_PRIORITY): a lesson's windows never wait behind
 *   another lesson's thumbnails;
 * - rec-analysis: voice activity, last (ANALYSIS_NICE); a slot of its own, so a backlog of it
 *   never holds a slot the composite needs.
 */
export const RECORDING_QUEUES = {
  /** After the end: a track's recorded segments joined, without re-encoding, into one WebM (research playback). */
  trackFile: 'rec-track',
  /** One recorded segment → H.264/AAC MPEG-TS for research playback (HLS). */
  track: 'rec-track',
  /** One time window of the composite (all tracks laid out, audio mixed) → MPEG-TS. */
  window: 'rec-after',
  /** The windows concatenated → composite MP4. */
  composite: 'rec-after',
  thumbnails: 'rec-after',
  peaks: 'rec-after',
  /** detectVoiceActivity over one audio segment (and its band levels for attribution). */
  vad: 'rec-analysis',
  /** After the end: who really spoke, from all audio tracks' band levels together. */
  attribution: 'rec-analysis',
} as const;
export type RecordingQueue = keyof typeof RECORDING_QUEUES;

/**
 * BullMQ priority of each job type in its queue (1 = first; BullMQ takes a lower number first,
 * in insertion order among equals): in rec-track a track's file before the backlog of segment
 * transcodes; in rec-after the composite's windows, then its MP4, then thumbnails and peaks. Given for every type, so the order stays right if queues are merged.
 */
export const JOB_PRIORITY: Record<RecordingQueue, number> = {
  trackFile: 1,
  track: 2,
  window: 3,
  composite: 4,
  thumbnails: 5,
  peaks: 5,
  vad: 6,
  attribution: 7,
};

/** The distinct queue names (several job types share one). */
export const RECORDING_QUEUE_NAMES = [...new Set(Object.values(RECORDING_QUEUES))];

const id = z.string().min(1).max(64);
const ms = z.number().int().min(0).max(24 * 3600_000);

export const trackJob = z.object({
  lessonId: id,
  trackId: id,
  seq: z.number().int().min(1),
  kind: z.enum(['audio', 'video']),
  input: relPath,
  output: relPath,
  /** Where this segment starts on the track's own timeline (segment start − track start). */
  offsetMs: ms,
  /** Its length on the lesson clock (the recorder's segment list: up to where the next one starts). */
  plannedMs: ms.optional(),
});
export type TrackJob = z.infer<typeof trackJob>;

export const trackFileJob = z.object({
  lessonId: id,
  trackId: id,
  kind: z.enum(['audio', 'video']),
  /** The track's closed segments in order, each with where it starts on the track's own timeline. */
  parts: z
    .array(z.object({ path: relPath, atMs: ms }))
    .min(1)
    .max(20_000),
  output: relPath,
});
export type TrackFileJob = z.infer<typeof trackFileJob>;

const interval = z.tuple([ms, ms]);

export const windowJob = z.object({
  lessonId: id,
  index: z.number().int().min(0),
  startMs: ms,
  endMs: ms,
  output: relPath,
  inputs: z
    .array(
      z.object({
        role: z.enum(['teacherCam', 'screen', 'classroomCam', 'audio']),
        path: relPath,
        /** The segment's start on the lesson clock. */
        startMs: ms,
        /** Its end on the lesson clock: outside [startMs, endMs) the input has no picture. */
        endMs: ms.optional(),
        /** Lesson-clock intervals in which this input is shown (classroom on stage; teacher inset while sharing). */
        shown: z.array(interval).max(1000).optional(),
      }),
    )
    .max(200),
  /** Lesson-clock intervals with a screen share (the teacher camera moves to an inset). */
  screenIntervals: z.array(interval).max(1000),
});
export type WindowJob = z.infer<typeof windowJob>;

export const compositeJob = z.object({
  lessonId: id,
  chunks: z.array(relPath).min(1).max(10_000),
  output: relPath,
});
export type CompositeJob = z.infer<typeof compositeJob>;

export const thumbnailsJob = z.object({
  lessonId: id,
  input: relPath,
  output: relPath,
  everyS: z.number().int().min(1).max(600),
  columns: z.number().int().min(1).max(50),
});
export type ThumbnailsJob = z.infer<typeof thumbnailsJob>;

export const peaksJob = z.object({
  lessonId: id,
  input: relPath,
  output: relPath,
  perSecond: z.number().int().min(1).max(100),
});
export type PeaksJob = z.infer<typeof peaksJob>;

export const vadJob = z.object({
  lessonId: id,
  trackId: id,
  seq: z.number().int().min(1),
  input: relPath,
  /** The segment's start on the lesson clock; detected offsets are shifted by it. */
  startMs: ms,
  /** Where to write the segment's band levels (absent in jobs queued before attribution existed). */
  bands: relPath.optional(),
});
export type VadJob = z.infer<typeof vadJob>;

const span = z.tuple([ms, ms]);

export const attributionJob = z.object({
  lessonId: id,
  tracks: z
    .array(
      z.object({
        trackId: id,
        /** The track's segments' band files, each with where it starts on the lesson clock. */
        parts: z.array(z.object({ bands: relPath, startMs: ms })).min(1).max(20_000),
        /** The detector's voice activity on the lesson clock (the union of its segments' results). */
        raw: z.array(span).max(200_000),
      }),
    )
    .min(1)
    .max(64),
});
export type AttributionJob = z.infer<typeof attributionJob>;

/** An attribution job's answer, per track: its own speech, the unsure spans, the leaks found. */
export interface TrackAttribution {
  trackId: string;
  /** The detector's voice activity decided over the whole track (replaces the per-segment union). */
  raw?: Array<[number, number]>;
  attributed: Array<[number, number]>;
  uncertain: Array<[number, number]>;
  leaks: TrackLeak[];
}
export interface AttributionResult {
  tracks: TrackAttribution[];
  computeMs: number;
}

export const COMPOSITE = { width: 1280, height: 720, fps: 15, windowMs: 30_000 } as const;

/** The Redis channel on which any process asks the recording workers to cancel a running job ("queue|jobId|reason"). */
export function cancelChannel(prefix = 'bull'): string {
  return `${prefix}:recording:cancel`;
}
