// A held lesson's evidence for the workspace: JSON for the activity lists and the 核验 view, and
// its attendance as CSV (the 签到表 of an online lesson). Authorised before anything is read.
import { Router } from 'express';
import { z } from 'zod';
import type { Queryable } from '../db/db.js';
import type { LessonEvidence } from '../contract/workspace/lessonEvidence.js';
import { AppError } from '../contract/errors.js';
import { formatHhmm, schoolDayOf } from '../contract/time.js';
import { toCsv } from '../http/csv.js';
import { parse } from '../http/validate.js';
import { currentUser, requireUser } from '../http/requireUser.js';
import { assertCanReadLessonEvidence, type Reach } from './reach.js';
import { lessonEvidence } from './lessonEvidenceRepo.js';

const lessonParam = z.object({ id: z.string().min(1).max(64) }).strict();

/** Shanghai local time, as the school's own sign-in sheet would write it. */
function local(isoAt: string | null): string {
  if (!isoAt) return '';
  const { day, min } = schoolDayOf(new Date(isoAt));
  const s = new Date(isoAt).getUTCSeconds();
  return `${day} ${formatHhmm(min)}:${String(s).padStart(2, '0')}`;
}

/**
 * Links by what the viewer can open: the replay and the analysis page are the community's (minors
 * are filmed under their school's consent to the community), so a bureau reviewer sees the figures
 * and the attendance, not the pictures.
 */
function withLinks(e: Omit<LessonEvidence, 'links'>, reach: Reach): LessonEvidence {
  const member = reach.kind !== 'bureau';
  const id = encodeURIComponent(e.lessonId);
  return {
    ...e,
    links: {
      attendanceCsv: `/api/workspace/lessons/${id}/attendance.csv`,
      replay: member && e.recording ? `/recordings/${id}` : null,
      analysis: member && e.analysis ? `/research/lessons/${id}` : null,
      plans: member ? e.plans.map((p) => `/plans/${encodeURIComponent(p.id)}`) : [],
    },
  };
}

export function lessonEvidenceRouter({ db }: { db: Queryable }): Router {
  const router = Router();
  const auth = requireUser(db);

  const load = async (lessonId: string) => {
    const e = (await lessonEvidence(db, [lessonId])).get(lessonId);
    if (!e) throw new AppError('NOT_FOUND', 'this lesson has not taken place');
    return e;
  };

  router.get('/api/workspace/lessons/:id/evidence', auth, async (req, res) => {
    const { id } = parse(lessonParam, req.params);
    const reach = await assertCanReadLessonEvidence(db, currentUser(res), id);
    res.json({ evidence: withLinks(await load(id), reach) });
  });

  router.get('/api/workspace/lessons/:id/attendance.csv', auth, async (req, res) => {
    const { id } = parse(lessonParam, req.params);
    await assertCanReadLessonEvidence(db, currentUser(res), id);
    const e = await load(id);
    const rows = e.attendance.map((a) => ({
      学校: a.schoolName,
      教室: a.classroomName,
      角色: a.host ? '主讲' : '接收',
      首次进入: local(a.firstJoinAt),
      最后离开: local(a.lastLeaveAt),
      在线分钟: a.connectedMin,
      在线时段: a.intervals.map(([f, t]) => `${local(f).slice(11)}–${local(t).slice(11)}`).join('; '),
    }));
    const name = `attendance-${schoolDayOf(new Date(e.startedAt)).day}.csv`;
    res.type('text/csv; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="${name}"`);
    res.send(toCsv(rows, { columns: ['学校', '教室', '角色', '首次进入', '最后离开', '在线分钟', '在线时段'] }));
  });

  return router;
}
