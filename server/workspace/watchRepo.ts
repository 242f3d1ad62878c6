// How long people watch lessons (师徒结对 counts an observation by it): live, written by the live
// lesson when a watcher leaves; recorded, from the replay page's heartbeats.
import type { Queryable } from '../db/db.js';
import { schoolDayOf } from '../contract/time.js';
import { WATCH_BEAT_MAX_S } from '../contract/workspace/mentors.js';

/** Adds a live stay's seconds to the day it ended on. */
export async function addLiveWatch(db: Queryable, w: { userId: string; lessonId: string; seconds: number; at: Date }): Promise<void> {
  const seconds = Math.floor(w.seconds);
  if (seconds <= 0) return;
  await db.query(
    `insert into lesson_watch (user_id, lesson_id, mode, day, seconds, last_at) values ($1, $2, 'live', $3, $4, $5)
     on conflict (user_id, lesson_id, mode, day) do update set seconds = lesson_watch.seconds + excluded.seconds, last_at = excluded.last_at`,
    [w.userId, w.lessonId, schoolDayOf(w.at).day, seconds, w.at],
  );
}

/**
 * One replay heartbeat. A beat is credited at most the wall-clock time since the user's previous
 * beat on this lesson (and never more than WATCH_BEAT_MAX_S), so a client that sends beats
 * faster, or claims more, cannot watch more than time allows; the first beat only starts the
 * clock. One statement: the previous beat is read where it is written.
 */
export async function addReplayBeat(
  db: Queryable,
  b: { userId: string; lessonId: string; seconds: number; at: Date },
): Promise<{ credited: number; totalSeconds: number }> {
  const rows = await db.query<{ credited: number | string; total: number | string }>(
    `with prev as (select max(last_at) as at from lesson_watch where user_id = $1 and lesson_id = $2 and mode = 'replay'),
          credit as (
            select case when prev.at is null then 0
                        else least($4::int, $6::int, greatest(0, floor(extract(epoch from ($5::timestamptz - prev.at))))::int) end as s
              from prev),
          up as (
            insert into lesson_watch (user_id, lesson_id, mode, day, seconds, last_at)
            select $1, $2, 'replay', $3::date, credit.s, $5 from credit
            on conflict (user_id, lesson_id, mode, day)
              do update set seconds = lesson_watch.seconds + excluded.seconds, last_at = greatest(lesson_watch.last_at, excluded.last_at)
            returning seconds)
     select (select s from credit) as credited,
            (select coalesce(sum(seconds), 0) from lesson_watch where user_id = $1 and lesson_id = $2 and mode = 'replay' and day <> $3::date)
              + (select seconds from up) as total`,
    [b.userId, b.lessonId, schoolDayOf(b.at).day, b.seconds, b.at, WATCH_BEAT_MAX_S],
  );
  return { credited: Number(rows[0].credited), totalSeconds: Number(rows[0].total) };
}

export interface WatchRow {
  userId: string;
  lessonId: string;
  mode: 'live' | 'replay';
  day: string;
  seconds: number;
}

export async function listWatch(db: Queryable, userId: string, lessonId: string): Promise<WatchRow[]> {
  const rows = await db.query(
    `select user_id, lesson_id, mode, to_char(day, 'YYYY-MM-DD') as day, seconds from lesson_watch where user_id = $1 and lesson_id = $2 order by day, mode`,
    [userId, lessonId],
  );
  return rows.map((r) => ({ userId: String(r.user_id), lessonId: String(r.lesson_id), mode: r.mode as 'live' | 'replay', day: String(r.day), seconds: Number(r.seconds) }));
}
