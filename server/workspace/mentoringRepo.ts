// 师徒结对's activities, counted from what the two did in Tongbu, and the mentee's growth record.
// Each pair counts only inside its own period (to its end, or the day it was ended) and the
// caller's [from, to]. Four queries whatever the number of pairs (pairs, watch, notes, plans):
// the SQL joins the pairs to the records, the grouping into activities is done here.
import type { Queryable } from '../db/db.js';
import { json } from '../community/sql.js';
import { schoolDayOf } from '../contract/time.js';
import { analyseSt, type StCode } from '../contract/analysis/st.js';
import { summariseRubric } from '../contract/analysis/rubric.js';
import { DEFAULT_MIN_WATCH_MIN, type GrowthLesson, type MentorPair, type MentoringActivity } from '../contract/workspace/mentors.js';
import type { VoiceTrack } from '../contract/research.js';
import { VOICE_TRACK_COLUMNS, voiceTrackOf } from '../research/analysisRepo.js';
import { getRubric } from '../research/rubricRepo.js';

/** The pairs' own period clipped to [from, to], in SQL: `p` is mentor_pairs, $2 and $3 are from and to. */
const PERIOD_FROM = 'greatest(p.starts_on, $2::date)';
const PERIOD_TO = 'least(coalesce(p.ended_on, p.ends_on), $3::date)';
/** A timestamptz column as its Shanghai day. */
const shanghaiDay = (col: string) => `((${col} at time zone 'UTC') + interval '8 hours')::date`;

export interface MentoringQuery {
  communityIds?: readonly string[];
  pairIds?: readonly string[];
  from: string;
  to: string;
  /** Minutes of watching (live and recorded together) that make an observation count. */
  minWatchMin?: number;
}

export async function mentoringActivities(db: Queryable, q: MentoringQuery): Promise<MentoringActivity[]> {
  const minSeconds = (q.minWatchMin ?? DEFAULT_MIN_WATCH_MIN) * 60;
  const pairs = await db.query<{ id: string; mentor_id: string; mentee_id: string; subject: string }>(
    `select id, mentor_id, mentee_id, subject from mentor_pairs
      where (id = any($1::text[]) or community_id = any($2::text[])) order by id`,
    [[...(q.pairIds ?? [])], [...(q.communityIds ?? [])]],
  );
  if (!pairs.length) return [];
  const ids = pairs.map((p) => p.id);
  const args = [ids, q.from, q.to];
  // Watching the other's lesson, per day and mode.
  const watch = await db.query<{ pair_id: string; user_id: string; lesson_id: string; title: string; mode: string; day: string; seconds: number | string }>(
    `select p.id as pair_id, w.user_id, w.lesson_id, l.title, w.mode, to_char(w.day, 'YYYY-MM-DD') as day, w.seconds
       from mentor_pairs p
       join lesson_watch w on w.user_id in (p.mentor_id, p.mentee_id)
       join lessons l on l.id = w.lesson_id and l.teacher_id in (p.mentor_id, p.mentee_id) and l.teacher_id <> w.user_id
      where p.id = any($1::text[]) and w.day between ${PERIOD_FROM} and ${PERIOD_TO}
      order by p.id, w.user_id, w.lesson_id, w.day, w.mode`,
    args,
  );
  // 评课 notes (annotations and replies) on the other's lesson.
  const notes = await db.query<{ pair_id: string; author_id: string; lesson_id: string; title: string; notes: number | string; first_at: Date | string }>(
    `select p.id as pair_id, a.author_id, a.lesson_id, l.title, count(*) as notes, min(a.created_at) as first_at
       from mentor_pairs p
       join annotations a on a.author_id in (p.mentor_id, p.mentee_id)
       join lessons l on l.id = a.lesson_id and l.teacher_id in (p.mentor_id, p.mentee_id) and l.teacher_id <> a.author_id
      where p.id = any($1::text[]) and ${shanghaiDay('a.created_at')} between ${PERIOD_FROM} and ${PERIOD_TO}
      group by p.id, a.author_id, a.lesson_id, l.title
      order by p.id, a.lesson_id, a.author_id`,
    args,
  );
  // Plans both edited inside the period: co-written from the day the second of them first edited it.
  const plans = await db.query<{ pair_id: string; plan_id: string; title: string; mentor_first: string; mentee_first: string; mentor_days: number | string; mentee_days: number | string }>(
    `select p.id as pair_id, pl.id as plan_id, pl.title,
            to_char(min(e.day) filter (where e.user_id = p.mentor_id), 'YYYY-MM-DD') as mentor_first,
            to_char(min(e.day) filter (where e.user_id = p.mentee_id), 'YYYY-MM-DD') as mentee_first,
            count(*) filter (where e.user_id = p.mentor_id) as mentor_days,
            count(*) filter (where e.user_id = p.mentee_id) as mentee_days
       from mentor_pairs p
       join plan_editors e on e.user_id in (p.mentor_id, p.mentee_id)
       join plans pl on pl.id = e.plan_id
      where p.id = any($1::text[]) and e.day between ${PERIOD_FROM} and ${PERIOD_TO}
      group by p.id, pl.id, pl.title
     having count(*) filter (where e.user_id = p.mentor_id) > 0 and count(*) filter (where e.user_id = p.mentee_id) > 0
      order by p.id, pl.id`,
    args,
  );

  const pairOf = new Map(pairs.map((p) => [p.id, p]));
  const base = (pairId: string) => {
    const p = pairOf.get(pairId)!;
    return { kind: 'mentoring' as const, pairId, subject: p.subject || null, teacherIds: [p.mentor_id, p.mentee_id] };
  };
  const out: MentoringActivity[] = [];

  // Watching: the day the running total (live + recorded) reaches the threshold is the activity's day.
  const stays = new Map<string, typeof watch>();
  for (const w of watch) {
    const k = `${w.pair_id}\u0000${w.user_id}\u0000${w.lesson_id}`;
    stays.set(k, [...(stays.get(k) ?? []), w]);
  }
  for (const rows of stays.values()) {
    let total = 0;
    let reachedOn: string | null = null;
    const byMode = { live: 0, replay: 0 };
    for (const r of rows) {
      total += Number(r.seconds);
      byMode[r.mode as 'live' | 'replay'] += Number(r.seconds);
      if (reachedOn === null && total >= minSeconds) reachedOn = r.day;
    }
    if (reachedOn === null) continue;
    const { pair_id, user_id, lesson_id, title } = rows[0];
    out.push({
      ...base(pair_id),
      id: `mentoring:${pair_id}:watch:${user_id}:${lesson_id}`,
      day: reachedOn,
      evidence: {
        type: 'watch',
        lessonId: lesson_id,
        lessonTitle: title,
        watcherId: user_id,
        minutes: Math.floor(total / 60),
        liveMinutes: Math.floor(byMode.live / 60),
        replayMinutes: Math.floor(byMode.replay / 60),
      },
    });
  }
  for (const n of notes) {
    out.push({
      ...base(n.pair_id),
      id: `mentoring:${n.pair_id}:notes:${n.author_id}:${n.lesson_id}`,
      day: schoolDayOf(new Date(n.first_at)).day,
      evidence: { type: 'notes', lessonId: n.lesson_id, lessonTitle: n.title, authorId: n.author_id, notes: Number(n.notes) },
    });
  }
  for (const p of plans) {
    out.push({
      ...base(p.pair_id),
      id: `mentoring:${p.pair_id}:co_plan:${p.plan_id}`,
      day: p.mentor_first > p.mentee_first ? p.mentor_first : p.mentee_first,
      evidence: { type: 'co_plan', planId: p.plan_id, planTitle: p.title, mentorEditDays: Number(p.mentor_days), menteeEditDays: Number(p.mentee_days) },
    });
  }
  return out.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.id < b.id ? -1 : 1));
}

/**
 * The mentee's held lessons in time order (the latest 200), each with its S-T Rt/Ch where the
 * lesson has a voice analysis (30 s sampling, corrections applied, the lesson clock as the
 * research page uses it) and the mean of its rubric scores. Four queries whatever the number.
 */
export async function growthLessons(db: Queryable, pair: MentorPair): Promise<GrowthLesson[]> {
  const lessons = await db.query<{ id: string; title: string; subject: string; started_at: Date | string; ended_at: Date | string | null; clock_zero: Date | string | null; rec_end: Date | string | null }>(
    `select * from (
       select l.id, l.title, l.subject, l.started_at, l.ended_at, r.clock_zero, r.ended_at as rec_end
         from lessons l left join recordings r on r.lesson_id = l.id
        where l.teacher_id = $1 and l.started_at is not null
        order by l.started_at desc limit 200) x
     order by started_at, id`,
    [pair.mentee.id],
  );
  if (!lessons.length) return [];
  const ids = lessons.map((l) => l.id);
  const [voice, fixes, scores, rubric] = await Promise.all([
    db.query<Record<string, unknown> & { lesson_id: string }>(
      `select v.lesson_id, ${VOICE_TRACK_COLUMNS} from voice_activity v where v.lesson_id = any($1::text[]) order by v.lesson_id, v.speaker desc, v.classroom_id nulls first, v.track_id`,
      [ids],
    ),
    db.query<{ lesson_id: string; sample_index: number; code: StCode }>(
      'select lesson_id, sample_index, code from st_corrections where lesson_id = any($1::text[]) and interval_s = 30',
      [ids],
    ),
    db.query<{ lesson_id: string; rater_id: string; scores: unknown }>('select lesson_id, rater_id, scores from rubric_scores where lesson_id = any($1::text[])', [ids]),
    getRubric(db, pair.mentee.id),
  ]);
  const criteria = rubric.criteria.map((c) => c.id);
  const periodEnd = pair.endedOn ?? pair.endsOn;
  return lessons.map((l) => {
    const tracks: VoiceTrack[] = voice
      .filter((v) => v.lesson_id === l.id)
      .map((v) => voiceTrackOf(v));
    let st: GrowthLesson['st'] = null;
    if (tracks.length) {
      // The lesson clock: recording end − clock zero, else the lesson's start to end, else the last speech.
      const zero = new Date(l.clock_zero ?? l.started_at).getTime();
      const endAt = l.rec_end ?? l.ended_at;
      const clockMs = endAt ? Math.max(0, new Date(endAt).getTime() - zero) : 0;
      const durationMs = clockMs || Math.max(0, ...tracks.flatMap((t) => t.segments.map((s) => s[1])));
      const corrections = new Map(fixes.filter((f) => f.lesson_id === l.id).map((f) => [Number(f.sample_index), f.code]));
      const { figures } = analyseSt(tracks, durationMs, 30, corrections);
      if (figures.n > 0) st = { rt: figures.rt, ch: figures.ch, type: figures.type };
    }
    const ratings = scores.filter((s) => s.lesson_id === l.id).map((s) => ({ raterId: s.rater_id, scores: json<Record<string, number>>(s.scores) }));
    const summary = summariseRubric(criteria, ratings);
    const day = schoolDayOf(new Date(l.started_at)).day;
    return {
      lessonId: l.id,
      title: l.title,
      subject: l.subject,
      day,
      inPeriod: day >= pair.startsOn && day <= periodEnd,
      st,
      rubricMean: ratings.length ? summary.overall : null,
      raters: ratings.length,
    };
  });
}
