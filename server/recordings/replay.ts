// Everything the replay page needs for one lesson, on the lesson clock.
import type { Queryable } from '../db/db.js';
import type { Lesson } from '../contract/domain.js';
import type { ReplayChapter, ReplayInfo } from '../contract/recordings.js';
import { eventClassroomId, type LessonEventType } from '../contract/lessonEvents.js';
import { keys } from './planner.js';
import type { RecordingRow } from './repo.js';
import { listChatOnClock, listGaps, listLessonClassrooms, listVoiceActivity } from './replayRepo.js';
import type { RecordingProcessing } from './processing.js';

/** Event types that make a chapter mark on the replay timeline. */
export const CHAPTER_TYPES = new Set<LessonEventType>([
  'lesson:start', 'lesson:end', 'stage:on', 'stage:off', 'screen:start', 'screen:stop', 'hand:raise', 'quiz:push',
  'classroom:mute', 'classroom:unmute', 'recording:pause', 'recording:resume', 'recording:gap',
]);

export async function replayInfo(db: Queryable, processing: RecordingProcessing, lesson: Lesson, rec: RecordingRow): Promise<ReplayInfo> {
  const s = (await processing.load(lesson.id))!;
  const progress = (await processing.progress(lesson.id))!;
  const zero = Date.parse(rec.clockZero);
  const base = `/api/recordings/${encodeURIComponent(lesson.id)}/files`;
  const [chat, classrooms, gaps, voiceActivity] = await Promise.all([
    listChatOnClock(db, lesson.id, zero),
    listLessonClassrooms(db, lesson.id, lesson.hostClassroomId),
    listGaps(db, lesson.id),
    listVoiceActivity(db, lesson.id),
  ]);
  const chapters: ReplayChapter[] = s.events
    .filter((e) => CHAPTER_TYPES.has(e.type))
    .map((e) => ({ atMs: Math.max(0, e.atMs), type: e.type, classroomId: eventClassroomId(e) }));
  const outputs = new Map(s.outputs.map((o) => [o.key, o]));
  const thumbs = outputs.get(keys.thumbnails(lesson.id));
  const tm = thumbs?.state === 'done' ? thumbs.meta : null;
  return {
    progress,
    tracks: s.tracks.map((t) => {
      const segs = s.segments.filter((g) => g.trackId === t.id);
      return {
        id: t.id,
        kind: t.kind,
        source: t.source,
        owner: t.owner,
        classroomId: t.classroomId,
        label: t.label,
        startMs: t.startMs,
        endMs: t.endMs,
        playlistUrl: `${base}/tracks/${encodeURIComponent(t.id)}/index.m3u8`,
        fileUrl: outputs.get(keys.trackFile(t.id))?.state === 'done' ? `${base}/tracks/${encodeURIComponent(t.id)}/track.webm` : null,
        segmentsDone: segs.filter((g) => outputs.get(keys.track(t.id, g.seq))?.state === 'done').length,
        segmentsTotal: segs.length,
      };
    }),
    classrooms,
    chapters,
    chat,
    gaps,
    voiceActivity,
    composite: {
      playlistUrl: `${base}/composite/index.m3u8`,
      mp4Url: progress.compositeReady ? `${base}/composite.mp4` : null,
      downloadUrl: progress.compositeReady ? `${base}/composite.mp4?download=1` : null,
    },
    thumbnails: tm
      ? {
          url: `${base}/thumbs.jpg`,
          count: Number(tm.count),
          columns: Number(tm.columns),
          rows: Number(tm.rows),
          everyS: Number(tm.everyS),
          width: Number(tm.width),
          height: Number(tm.height),
        }
      : null,
    peaksUrl: outputs.get(keys.peaks(lesson.id))?.state === 'done' ? `${base}/peaks.json` : null,
  };
}
