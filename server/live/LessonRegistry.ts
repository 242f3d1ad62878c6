// The live lessons this process hosts. A lesson's router lives on one worker of this
// process, so every participant of a lesson must reach this process (sticky by lesson).
import type { Db } from '../db/db.js';
import type { Lesson } from '../contract/domain.js';
import type { WorkerPool } from '../../media/WorkerPool.js';
import { LiveLesson, type LiveLessonCloseReason } from './LiveLesson.js';
import type { LiveServer } from './types.js';
import type { RecordingService } from '../recordings/RecordingService.js';
import { SingleFlight } from '../contract/singleFlight.js';
import { getLiveState } from '../lessons/repo.js';

/** A lesson nobody is in keeps its router this long, for a quick return. */
const IDLE_CLOSE_MS = 60_000;

export class LessonRegistry {
  private lessons = new Map<string, LiveLesson>();
  private idleTimers = new Map<string, NodeJS.Timeout>();
  private readonly opening = new SingleFlight<string, LiveLesson>();

  constructor(private readonly deps: { db: Db; io: LiveServer; pool: WorkerPool; recordings?: RecordingService }) {}

  async open(lesson: Lesson): Promise<LiveLesson> {
    this.cancelIdle(lesson.id);
    const live = this.lessons.get(lesson.id);
    if (live && !live.isClosed) {
      live.lesson = lesson;
      return live;
    }
    // Two classrooms joining at the same instant must get the same lesson.
    return this.opening.run(lesson.id, () => this.create(lesson));
  }

  private async create(lesson: Lesson): Promise<LiveLesson> {
    const saved = parseState(await getLiveState(this.deps.db, lesson.id));
    const live = new LiveLesson(lesson, this.deps, saved);
    this.lessons.set(lesson.id, live);
    await live.media();
    return live;
  }

  get(lessonId: string): LiveLesson | undefined {
    return this.lessons.get(lessonId);
  }

  all(): LiveLesson[] {
    return [...this.lessons.values()];
  }

  /** Called when a participant leaves: an empty lesson frees its router after a while. */
  leaveIfEmpty(live: LiveLesson): void {
    // A socket leaving a lesson closed meanwhile must not start the timer of its successor.
    if (this.lessons.get(live.lesson.id) !== live) return;
    if (live.peers.size > 0 || this.idleTimers.has(live.lesson.id)) return;
    const t = setTimeout(() => {
      this.idleTimers.delete(live.lesson.id);
      if (live.peers.size === 0 && this.lessons.get(live.lesson.id) === live) void this.close(live.lesson.id, 'lesson-closed');
    }, IDLE_CLOSE_MS);
    t.unref();
    this.idleTimers.set(live.lesson.id, t);
  }

  /** Closes the lesson here at once; resolves when its recording has finished writing (LiveLesson.close). */
  close(lessonId: string, why: LiveLessonCloseReason): Promise<void> {
    this.cancelIdle(lessonId);
    const live = this.lessons.get(lessonId);
    this.lessons.delete(lessonId);
    return live?.close(why) ?? Promise.resolve();
  }

  /** Shutdown: every lesson closes at once (synchronously); resolves when their recordings have finished writing. */
  closeAll(): Promise<void> {
    return Promise.all([...this.lessons.keys()].map((id) => this.close(id, 'server-stopped'))).then(() => undefined);
  }

  private cancelIdle(lessonId: string): void {
    const t = this.idleTimers.get(lessonId);
    if (t) clearTimeout(t);
    this.idleTimers.delete(lessonId);
  }
}

function parseState(raw: unknown): Record<string, never> | { stageClassroomId?: string | null; mutedClassroomIds?: string[]; hands?: { classroomId: string; raisedAt: string }[] } {
  const v = typeof raw === 'string' ? JSON.parse(raw) : raw;
  return v && typeof v === 'object' ? (v as object) : {};
}
