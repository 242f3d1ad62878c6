// A teacher's or a classroom's synchronous lessons as an iCalendar feed.
import type { Queryable } from '../db/db.js';
import { buildCalendar, type IcsEvent } from './ics.js';
import { feedLessons } from './repo.js';
import type { FeedKind } from '../contract/timetable.js';

/** UIDs stay the same across fetches and regenerated tokens, so calendars update events instead of duplicating them. */
export const lessonUid = (lessonId: string) => `lesson-${lessonId}@tongbu`;

export async function buildFeed(db: Queryable, kind: FeedKind, ownerId: string, ownerName: string, origin: string): Promise<string> {
  const lessons = await feedLessons(db, kind, ownerId);
  const view = kind === 'teacher' ? 'teach' : 'projector';
  const generated = new Date();
  const events: IcsEvent[] = lessons.map((l) => {
    const link = `${origin}/lessons/${encodeURIComponent(l.id)}/${view}`;
    return {
      uid: lessonUid(l.id),
      start: l.scheduledAt,
      end: new Date(l.scheduledAt.getTime() + l.durationMin * 60_000),
      summary: `同步课堂：${l.title}（${l.subject}·${l.grade}年级）`,
      location: `${l.hostName}（主讲）→ ${l.receiving.join('、')}`,
      description: `授课教师：${l.teacherName}\n主讲教室：${l.hostName}\n接收教室：${l.receiving.join('、')}\n进入课堂：${link}`,
      url: link,
      stamp: generated,
    };
  });
  return buildCalendar({ name: `同步课堂 · ${ownerName}`, events });
}
