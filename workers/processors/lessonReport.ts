// After a lesson ends: a summary for the school and community reports — how long it ran
// against plan, how often each rural classroom raised its hand and how long it spoke on
// stage. Written to local storage as JSON; idempotent (same input, same file).
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UnrecoverableError, type Job } from 'bullmq';
import { presenceIntervals, stageIntervals } from '../../server/contract/lessonEvents.js';
import { intersect, totalMs } from '../../server/contract/workspace/attendance.js';
import { lessonReportJob, reportPath, type LessonReportJob } from '../../server/contract/jobs.js';

export interface ClassroomSummary {
  classroomId: string;
  handsRaised: number;
  timesOnStage: number;
  secondsOnStage: number;
  /** Attendance while the lesson was live (evidence for the pairing's targets): first join, last leave, connected minutes. */
  firstJoinAt: string | null;
  lastLeaveAt: string | null;
  connectedMin: number;
}

export interface LessonReport {
  lessonId: string;
  title: string;
  plannedMin: number;
  actualMin: number | null;
  chatCount: number;
  screenShares: number;
  quizzes: number;
  classrooms: ClassroomSummary[];
}

export function summarise(job: LessonReportJob): LessonReport {
  const per = new Map<string, ClassroomSummary>(
    job.receivingClassroomIds.map((id) => [id, { classroomId: id, handsRaised: 0, timesOnStage: 0, secondsOnStage: 0, firstJoinAt: null, lastLeaveAt: null, connectedMin: 0 }]),
  );
  const events = [...job.events].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)).map((e) => ({ ...e, atMs: Date.parse(e.at) }));
  let screenShares = 0;
  let quizzes = 0;
  for (const e of events) {
    const c = e.type === 'hand:raise' || e.type === 'stage:on' ? per.get(e.payload.classroomId) : undefined;
    if (c && e.type === 'hand:raise') c.handsRaised++;
    if (c && e.type === 'stage:on') c.timesOnStage++;
    if (e.type === 'screen:start') screenShares++;
    if (e.type === 'quiz:push') quizzes++;
  }
  // On the wall clock (epoch ms): the same intervals the recording's composite shows.
  for (const [id, spans] of stageIntervals(events, Date.parse(job.endedAt))) {
    const s = per.get(id);
    if (s) s.secondsOnStage += spans.reduce((sum, [a, b]) => sum + (b - a) / 1000, 0);
  }
  // Connected while live: a classroom waiting in the lobby before the start is not attending.
  const live: [number, number][] = job.startedAt ? [[Date.parse(job.startedAt), Date.parse(job.endedAt)]] : [];
  for (const [id, spans] of presenceIntervals(events, Date.parse(job.endedAt))) {
    const s = per.get(id);
    const during = intersect(spans, live);
    if (!s || !during.length) continue;
    s.firstJoinAt = new Date(during[0][0]).toISOString();
    s.lastLeaveAt = new Date(during[during.length - 1][1]).toISOString();
    s.connectedMin = Math.round((totalMs(during) / 60_000) * 10) / 10;
  }
  const actualMin = job.startedAt ? (Date.parse(job.endedAt) - Date.parse(job.startedAt)) / 60_000 : null;
  return {
    lessonId: job.lessonId,
    title: job.title,
    plannedMin: job.scheduledMin,
    actualMin: actualMin === null ? null : Math.round(actualMin * 10) / 10,
    chatCount: job.chatCount,
    screenShares,
    quizzes,
    classrooms: [...per.values()].map((c) => ({ ...c, secondsOnStage: Math.round(c.secondsOnStage) })),
  };
}

export function lessonReportProcessor(dataDir: string) {
  return async (job: Job): Promise<LessonReport> => {
    const parsed = lessonReportJob.safeParse(job.data);
    // A malformed payload will not get better on retry.
    if (!parsed.success) throw new UnrecoverableError(`bad lesson-report job: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
    const data = parsed.data;
    const report = summarise(data);
    const file = reportPath(dataDir, data.lessonId);
    await mkdir(path.dirname(file), { recursive: true });
    // Write-then-rename: a killed worker never leaves half a report.
    await writeFile(`${file}.tmp`, JSON.stringify(report, null, 2));
    await rename(`${file}.tmp`, file);
    await job.updateProgress(100);
    return report;
  };
}
