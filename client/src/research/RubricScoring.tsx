// Rubric scoring by several raters: my scores per criterion (the community's levels), and the
// group's averages, spread and agreement (Kendall's W).
import { useEffect, useState } from 'react';
import type { RubricScoresView } from '../../../server/contract/research.js';
import { errorText } from '../api.js';
import { Choice, type ChoiceOption } from '../components/Choice.js';
import { TableHead } from '../components/TableHead.js';
import { useI18n } from '../i18n/index.js';
import { toast } from '../toast.js';
import { researchApi } from './researchApi.js';

export function RubricScoring({ lessonId, meId }: { lessonId: string; meId: string }) {
  const { t } = useI18n();
  const [view, setView] = useState<RubricScoresView | null>(null);
  const [mine, setMine] = useState<Record<string, number>>({});
  const [comment, setComment] = useState('');
  useEffect(() => {
    researchApi.scores(lessonId).then((v) => {
      setView(v);
      const my = v.ratings.find((r) => r.raterId === meId);
      if (my) {
        setMine(my.scores);
        setComment(my.comment);
      }
    }, (e) => toast.error(errorText(e)));
  }, [lessonId, meId]);
  if (!view) return <div className="spinner" aria-hidden />;
  const save = async () => {
    try {
      setView(await researchApi.saveScores(lessonId, { scores: mine, comment }));
      toast.info(t('research.sc.saved'));
    } catch (e) {
      toast.error(errorText(e));
    }
  };
  // An unscored criterion shows —, which cannot be picked back.
  const levels: ChoiceOption[] = [['', '—', true], ...view.rubric.levels.map((l) => [l.score, `${l.score} ${l.label}`] as const)];
  const summary = new Map(view.summary.criteria.map((c) => [c.criterionId, c]));
  return (
    <div className="rs-rubric" data-testid="rubric-scoring">
      <table className="rs-table">
        <TableHead labels={[t('research.sc.criterion'), t('research.sc.mine'), t('research.sc.mean'), t('research.sc.sd')]} />
        <tbody>
          {view.rubric.criteria.map((c) => (
            <tr key={c.id}>
              <td>{c.name}</td>
              <td>
                <Choice value={mine[c.id] ?? ''} data-testid={`score-${c.id}`} options={levels} onChange={(v) => setMine({ ...mine, [c.id]: Number(v) })} />
              </td>
              <td>{summary.get(c.id)?.mean?.toFixed(2) ?? '—'}</td>
              <td>{summary.get(c.id)?.sd?.toFixed(2) ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <textarea value={comment} placeholder={t('research.sc.comment')} maxLength={5000} onChange={(e) => setComment(e.target.value)} />
      <button className="primary" data-testid="scores-save" onClick={() => void save()}>
        {t('research.sc.save')}
      </button>
      <p className="muted" data-testid="scores-summary">
        {t('research.sc.raters', { n: view.summary.raters })} · {t('research.sc.kendall', { w: view.summary.kendallW?.toFixed(2) ?? '—' })}
      </p>
    </div>
  );
}
