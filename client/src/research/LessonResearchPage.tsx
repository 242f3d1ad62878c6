// /research/lessons/:id — a recorded (or live) lesson under review: player on the lesson clock,
// 评课 notes with markers, the classroom analysis, rubric scoring and exports.
import { useEffect, useState } from 'react';
import type { Lesson, PublicUser } from '../../../server/contract/domain.js';
import { errorText } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { toast } from '../toast.js';
import { AnalysisView, DEFAULT_ST, type StSettings } from './AnalysisView.js';
import { AnnotationPanel } from './AnnotationPanel.js';
import { LessonPlayer, useLessonClock } from './LessonPlayer.js';
import { RubricScoring } from './RubricScoring.js';
import { exportUrl, researchApi } from './researchApi.js';
import { useResearchContext } from './useResearchContext.js';
import './research.css';

type Tab = 'annotate' | 'analysis' | 'scores' | 'export';

export function LessonResearchPage({ lessonId, user }: { lessonId: string; user: PublicUser }) {
  const { t } = useI18n();
  const [lesson, setLesson] = useState<Lesson | null>(null);
  const [durationMs, setDuration] = useState(0);
  const [tab, setTab] = useState<Tab>('annotate');
  const [st, setSt] = useState<StSettings>(DEFAULT_ST);
  const clock = useLessonClock(durationMs);
  const ctx = useResearchContext(lessonId);
  useEffect(() => {
    researchApi.analysis(lessonId, 30).then(
      (r) => {
        setLesson(r.lesson);
        setDuration(r.analysis.durationMs || r.lesson.durationMin * 60_000);
      },
      (e) => toast.error(errorText(e)),
    );
  }, [lessonId]);
  if (!lesson) return <div className="spinner" aria-hidden />;
  return (
    <div className="rs-page" data-testid="research-lesson-page">
      <h2>
        {lesson.title} <span className="muted">· {lesson.subject} · {lesson.teacherName}</span>
      </h2>
      <div className="rs-layout">
        <main>
          <LessonPlayer lessonId={lessonId} clock={clock} />
          <nav className="rs-tabs">
            {(['annotate', 'analysis', 'scores', 'export'] as const).map((k) => (
              <button key={k} type="button" className={tab === k ? 'active' : ''} data-testid={`tab-${k}`} onClick={() => setTab(k)}>
                {t(`research.tab.${k}`)}
              </button>
            ))}
          </nav>
          {tab === 'analysis' && <AnalysisView lessonId={lessonId} user={user} onSeek={clock.seek} st={st} onSt={setSt} />}
          {tab === 'scores' && <RubricScoring lessonId={lessonId} meId={user.id} />}
          {tab === 'export' && <ExportLinks lessonId={lessonId} st={st} />}
          {tab === 'annotate' && <div className="muted">{t('research.ann.hint')}</div>}
        </main>
        <aside>
          <AnnotationPanel notes={ctx.notes} currentMs={clock.currentMs} durationMs={durationMs} onSeek={clock.seek} rubric={ctx.rubric} groups={ctx.groups} meId={user.id} />
        </aside>
      </div>
    </div>
  );
}

const EXPORTS = [
  { file: 'annotations.csv', testId: 'export-csv', label: 'research.ex.csv' },
  { file: 'annotations.eaf', testId: 'export-eaf', label: 'research.ex.eaf' },
  { file: 'report.pdf', testId: 'export-pdf', label: 'research.ex.pdf' },
  { file: 'report.docx', testId: 'export-docx', label: 'research.ex.docx' },
] as const;

export function ExportLinks({ lessonId, st }: { lessonId: string; st: StSettings }) {
  const { t } = useI18n();
  return (
    <ul className="rs-exports" data-testid="exports">
      {EXPORTS.map((x) => (
        <li key={x.file}>
          <a href={exportUrl(lessonId, x.file, st)} download data-testid={x.testId}>
            {t(x.label)}
          </a>
        </li>
      ))}
    </ul>
  );
}
