// 评课报告: lesson info, S-T and talk figures with charts, annotation summary by code, rubric
// scores and the research groups' conclusions — gathered once, rendered to PDF and .docx.
import type { Queryable } from '../../db/db.js';
import type { Lesson, PublicUser } from '../../contract/domain.js';
import { analyseLesson } from '../analysisRepo.js';
import { listAnnotations } from '../annotationsRepo.js';
import { listSessions } from '../groupsRepo.js';
import { scoresView } from '../rubricRepo.js';
import type { StInterval, StMethod } from '../../contract/analysis/st.js';
import { LOW_CONFIDENCE } from '../../contract/analysis/stConfidence.js';
import type { LessonAnalysis, ResearchSession, RubricScoresView } from '../../contract/research.js';

export interface ReportData {
  lesson: Lesson;
  analysis: LessonAnalysis;
  codeSummary: Array<{ code: string; count: number; authors: number }>;
  notes: number;
  scores: RubricScoresView;
  sessions: ResearchSession[];
  generatedAt: Date;
}

export async function reportData(db: Queryable, user: PublicUser, lesson: Lesson, intervalS: StInterval, method: StMethod = 'window'): Promise<ReportData> {
  const [analysis, notes, scores, sessions] = await Promise.all([
    analyseLesson(db, lesson, intervalS, method),
    listAnnotations(db, lesson.id),
    scoresView(db, user.id, lesson.id),
    listSessions(db, { lessonId: lesson.id }),
  ]);
  const byCode = new Map<string, { count: number; authors: Set<string> }>();
  for (const a of notes.filter((n) => !n.parentId)) {
    const k = a.code ?? '—';
    const e = byCode.get(k) ?? { count: 0, authors: new Set<string>() };
    e.count++;
    e.authors.add(a.authorId);
    byCode.set(k, e);
  }
  // Rubric codes read as their criterion names (教学目标…), S-T and Flanders codes as they are.
  const names = new Map(scores.rubric.criteria.map((c) => [c.id, c.name]));
  return {
    lesson,
    analysis,
    codeSummary: [...byCode].map(([code, e]) => ({ code: names.get(code) ?? code, count: e.count, authors: e.authors.size })).sort((a, b) => b.count - a.count),
    notes: notes.length,
    scores,
    sessions,
    generatedAt: new Date(),
  };
}

export const TYPE_LABEL: Record<string, string> = { 练习型: '练习型', 讲授型: '讲授型', 对话型: '对话型', 混合型: '混合型' };
/** How the report names the S-T coding it used. */
export const ST_METHOD_LABEL: Record<StMethod, string> = { window: '窗口主导（每个采样窗口的主要发言者）', point: '定点采样（窗口中点时刻的行为）' };
/** Automatic samples below the page's low-confidence threshold that nobody has corrected yet. */
export const lowConfidenceCount = (a: LessonAnalysis) => a.st.samples.filter((s) => s.confidence < LOW_CONFIDENCE && !s.corrected).length;
export const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
export const fix = (x: number | null, d = 2) => (x === null ? '—' : x.toFixed(d));
