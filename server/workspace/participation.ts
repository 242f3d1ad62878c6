// The rural side's participation, measured from the lessons themselves (issue 12): per rural
// classroom, the minutes it was connected, hands raised, minutes on stage, quizzes answered of
// those asked, and its share of the talk where the recording has a voice analysis. Pure over the
// records participationRepo.ts loads; the attendance verdict is the contract's own rule
// (countedSyncLessons), so the report's "counted" column and the targets agree.
import { schoolDayOf } from '../contract/time.js';
import { stageIntervals } from '../contract/lessonEvents.js';
import { analyseTalk } from '../contract/analysis/talk.js';
import type { ClassroomLessonFigures, ClassroomParticipation, ReportLesson } from '../contract/workspace/report.js';
import { countedSyncLessons, type PairingSchools, type SyncLessonVerdict } from './activitiesRepo.js';
import type { PairingLessonRecord } from './participationRepo.js';

const tenth = (x: number) => Math.round(x * 10) / 10;

export interface PairingLessonsResult {
  lessons: ReportLesson[];
  participation: ClassroomParticipation[];
  /** The verdicts, for the targets (their `activity` when counted). */
  verdicts: SyncLessonVerdict[];
}

export function pairingParticipation(p: PairingSchools, records: readonly PairingLessonRecord[], minShare: number, nowMs = Date.now()): PairingLessonsResult {
  const verdicts = countedSyncLessons(p, records, minShare, nowMs);
  const talks = records.map((r) => (r.voice ? analyseTalk(r.voice.tracks, r.voice.durationMs) : null));
  const lessons = verdicts.map(({ lesson, attendance }, i): ReportLesson => {
    const rec = records[i];
    const start = Date.parse(lesson.startedAt);
    const end = lesson.endedAt ? Date.parse(lesson.endedAt) : nowMs;
    const stage = stageIntervals(rec.events, end);
    const talk = talks[i];
    const rural = lesson.classrooms.filter((c) => c.schoolId === p.ruralSchoolId);
    const figures = rural.map((c): ClassroomLessonFigures => {
      const att = attendance.classrooms.find((a) => a.classroomId === c.classroomId);
      const t = talk?.classrooms.find((x) => x.classroomId === c.classroomId);
      return {
        classroomId: c.classroomId,
        classroomName: rec.classroomNames[c.classroomId] ?? c.classroomId,
        connectedMin: att?.connectedMin ?? 0,
        hands: rec.events.filter((e) => e.type === 'hand:raise' && e.payload.classroomId === c.classroomId).length,
        stageMin: tenth((stage.get(c.classroomId) ?? []).reduce((s, [a, b]) => s + (b - a), 0) / 60_000),
        quizzesAsked: rec.quizzes.length,
        quizzesAnswered: rec.quizzes.filter((q) => q.answeredBy.includes(c.classroomId)).length,
        talkShare: talk ? (t?.share ?? 0) : null,
        speechS: talk ? tenth(t?.speechS ?? 0) : null,
      };
    });
    return {
      lessonId: lesson.lessonId,
      day: schoolDayOf(new Date(start)).day,
      title: lesson.title,
      subject: lesson.subject,
      teacherName: rec.teacherName,
      plannedMin: lesson.plannedMin,
      counts: attendance.counts,
      jointMin: attendance.jointMin,
      neededMin: attendance.neededMin,
      attendance: attendance.classrooms.map((a) => ({
        classroomId: a.classroomId,
        classroomName: rec.classroomNames[a.classroomId] ?? a.classroomId,
        side: a.schoolId === p.ruralSchoolId ? 'rural' : 'city',
        firstJoin: a.firstJoinMs === null ? null : new Date(a.firstJoinMs).toISOString(),
        lastLeave: a.lastLeaveMs === null ? null : new Date(a.lastLeaveMs).toISOString(),
        connectedMin: a.connectedMin,
      })),
      rural: figures,
    };
  });

  // Per classroom over the year; talk weighted by each analysed lesson's length in cells.
  const byRoom = new Map<string, ClassroomParticipation & { talkCells: number; allCells: number }>();
  lessons.forEach((l, i) => {
    const talk = talks[i];
    for (const f of l.rural) {
      const s = byRoom.get(f.classroomId) ?? {
        classroomId: f.classroomId,
        classroomName: f.classroomName,
        lessons: 0,
        attended: 0,
        connectedMin: 0,
        hands: 0,
        stageMin: 0,
        quizzesAsked: 0,
        quizzesAnswered: 0,
        quizRate: null,
        analysedLessons: 0,
        talkShare: null,
        speechS: 0,
        talkCells: 0,
        allCells: 0,
      };
      s.lessons++;
      if (f.connectedMin > 0) s.attended++;
      s.connectedMin = tenth(s.connectedMin + f.connectedMin);
      s.hands += f.hands;
      s.stageMin = tenth(s.stageMin + f.stageMin);
      s.quizzesAsked += f.quizzesAsked;
      s.quizzesAnswered += f.quizzesAnswered;
      if (talk) {
        s.analysedLessons++;
        s.talkCells += talk.classrooms.find((x) => x.classroomId === f.classroomId)?.cells ?? 0;
        s.allCells += talk.cells.length;
        s.speechS = tenth(s.speechS + (f.speechS ?? 0));
      }
      byRoom.set(f.classroomId, s);
    }
  });
  const participation = [...byRoom.values()]
    .map(({ talkCells, allCells, ...s }) => ({
      ...s,
      quizRate: s.quizzesAsked ? s.quizzesAnswered / s.quizzesAsked : null,
      talkShare: s.analysedLessons ? (allCells ? talkCells / allCells : 0) : null,
    }))
    .sort((a, b) => a.classroomName.localeCompare(b.classroomName, 'zh-CN'));
  return { lessons, participation, verdicts };
}
