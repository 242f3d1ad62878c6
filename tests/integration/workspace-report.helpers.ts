// Synchronous lessons written as the product writes them, for the participation and report
// tests: the lesson row and its state changes (lessons/repo), the event log (recordLessonEvent,
// then the row's time set to the scripted minute), quizzes (quizzes/repo), and a recording's voice
// activity as the processing stage stores it.
import type { Db } from '../../server/db/db.js';
import type { PublicUser } from '../../server/contract/domain.js';
import type { LessonEventPayload, LessonEventType } from '../../server/contract/lessonEvents.js';
import { createLesson, recordLessonEvent, setLessonState } from '../../server/lessons/repo.js';
import { answerQuiz, createQuiz } from '../../server/quizzes/repo.js';

export const MIN = 60_000;

export class LessonScript {
  private constructor(
    private readonly db: Db,
    readonly id: string,
    readonly startedAt: Date,
  ) {}

  /** A 40-minute lesson hosted in `host`, started on `day` at 09:00 Shanghai and ended 40 minutes later. */
  static async held(db: Db, teacher: PublicUser, o: { day: string; host: string; receiving: string[]; title?: string; subject?: string }): Promise<LessonScript> {
    const startedAt = new Date(Date.parse(`${o.day}T01:00:00Z`));
    const lesson = await createLesson(db, teacher, {
      title: o.title ?? `数学 ${o.day}`,
      subject: o.subject ?? '数学',
      grade: 4,
      hostClassroomId: o.host,
      receivingClassroomIds: o.receiving,
      scheduledAt: startedAt.toISOString(),
      durationMin: 40,
    });
    await setLessonState(db, lesson.id, 'live', startedAt);
    await setLessonState(db, lesson.id, 'ended', new Date(startedAt.getTime() + 40 * MIN));
    return new LessonScript(db, lesson.id, startedAt);
  }

  at(min: number): Date {
    return new Date(this.startedAt.getTime() + min * MIN);
  }

  async event<T extends LessonEventType>(type: T, payload: LessonEventPayload<T>, min: number): Promise<void> {
    await recordLessonEvent(this.db, this.id, type, null, payload);
    await this.db.query('update lesson_events set at = $2 where id = (select max(id) from lesson_events where lesson_id = $1)', [this.id, this.at(min)]);
  }

  /** A classroom's connection from minute `from` to `to` (one peer). */
  async present(classroomId: string, from: number, to: number): Promise<void> {
    const peerId = `peer-${classroomId}-${from}`;
    await this.event('presence:join', { classroomId, peerId }, from);
    await this.event('presence:leave', { classroomId, peerId }, to);
  }

  /** A quiz pushed, answered by the given classrooms. */
  async quiz(answeredBy: string[], by: PublicUser): Promise<void> {
    const q = await createQuiz(this.db, { lessonId: this.id, kind: 'truefalse', question: '对吗？' });
    for (const classroomId of answeredBy) await answerQuiz(this.db, { quizId: q.id, classroomId, counts: [10, 2], answeredBy: by.id });
  }

  /** The recording (clock zero at the start, 40 minutes) with voice activity per track, spans in minutes on the lesson clock. */
  async voice(tracks: [speaker: 'teacher' | 'classroom', classroomId: string | null, spans: [number, number][]][]): Promise<void> {
    await this.db.query(`insert into recordings (lesson_id, state, clock_zero, ended_at) values ($1, 'stopped', $2, $3)`, [this.id, this.startedAt, this.at(40)]);
    for (const [i, [speaker, classroomId, spans]] of tracks.entries()) {
      const trackId = `${this.id}-t${i}`;
      await this.db.query(
        `insert into recording_tracks (id, lesson_id, kind, source, owner, classroom_id, label, codec, start_ms, end_ms)
         values ($1, $2, 'audio', 'mic', $3, $4, $1, 'opus', 0, $5)`,
        [trackId, this.id, speaker, classroomId, 40 * MIN],
      );
      await this.db.query('insert into voice_activity (track_id, lesson_id, speaker, classroom_id, segments) values ($1, $2, $3, $4, $5)', [
        trackId,
        this.id,
        speaker,
        classroomId,
        JSON.stringify(spans.map(([a, b]) => [a * MIN, b * MIN])),
      ]);
    }
  }
}
