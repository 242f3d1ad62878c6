// A held lesson's evidence beside it in the activity list: its attendance as a CSV sign-in sheet
// at once, and on demand (one request, only when asked) the rest it left — replay, analysis,
// rubric scores, plans, research sessions — as links, or as plain facts where the viewer (a bureau
// reviewer) has no such page.
import { useState } from 'react';
import type { LessonEvidence } from '../../../server/contract/workspace/lessonEvidence.js';
import { api, errorText } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { Link } from '../router.js';

export function LessonEvidenceLinks({ lessonId }: { lessonId: string }) {
  const { t } = useI18n();
  const [evidence, setEvidence] = useState<LessonEvidence | null>(null);
  const [error, setError] = useState<string | null>(null);
  const id = encodeURIComponent(lessonId);
  const open = () =>
    api<{ evidence: LessonEvidence }>('GET', `/api/workspace/lessons/${id}/evidence`).then(
      (r) => setEvidence(r.evidence),
      (e: unknown) => setError(errorText(e)),
    );
  return (
    <span className="ws-evidence" data-testid="ws-lesson-evidence">
      <a href={`/api/workspace/lessons/${id}/attendance.csv`} download data-testid="ws-attendance-csv">
        {t('ws.evidence.attendance')}
      </a>
      {!evidence && !error && (
        <button className="link" onClick={() => void open()} data-testid="ws-evidence-more">
          {t('ws.evidence.more')}
        </button>
      )}
      {error && <span className="muted"> · {error}</span>}
      {evidence && (
        <>
          {evidence.links.replay ? <Link to={evidence.links.replay}>{t('ws.evidence.replay')}</Link> : evidence.recording && <span>{t('ws.evidence.recorded')}</span>}
          {evidence.links.analysis ? <Link to={evidence.links.analysis}>{t('ws.evidence.analysis')}</Link> : evidence.analysis && <span>{t('ws.evidence.analysed')}</span>}
          {evidence.rubricRaters > 0 && <span>{t('ws.evidence.raters', { n: evidence.rubricRaters })}</span>}
          {evidence.plans.map((p, i) =>
            evidence.links.plans[i] ? (
              <Link key={p.id} to={evidence.links.plans[i]}>
                {t('ws.evidence.plan', { title: p.title, n: p.versions })}
              </Link>
            ) : (
              <span key={p.id}>{t('ws.evidence.plan', { title: p.title, n: p.versions })}</span>
            ),
          )}
          {evidence.sessions.map((s) => (
            <span key={s.id}>{t(s.hasMinutes ? 'ws.evidence.sessionMinutes' : 'ws.evidence.session', { title: s.title })}</span>
          ))}
          {!evidence.recording && !evidence.analysis && evidence.plans.length === 0 && evidence.sessions.length === 0 && <span className="muted">{t('ws.evidence.none')}</span>}
        </>
      )}
    </span>
  );
}
