// The community's observation rubric (criteria and score levels), edited by community admins.
import { useEffect, useState } from 'react';
import type { Rubric } from '../../../server/contract/research.js';
import { api, errorText } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { toast } from '../toast.js';
import { researchApi } from './researchApi.js';

export function RubricEditor() {
  const { t } = useI18n();
  const [rubric, setRubric] = useState<Rubric | null>(null);
  useEffect(() => {
    researchApi.frameworks().then((f) => setRubric(f.rubric), (e) => toast.error(errorText(e)));
  }, []);
  if (!rubric) return null;
  const save = async () => {
    try {
      const r = await api<{ rubric: Rubric }>('POST', '/api/research/rubric', rubric);
      setRubric(r.rubric);
      toast.info(t('research.sc.saved'));
    } catch (e) {
      toast.error(errorText(e));
    }
  };
  return (
    <div className="rs-form" data-testid="rubric-editor">
      <h4>{t('research.rubric.title')}</h4>
      {rubric.criteria.map((c, i) => (
        <div key={i} className="rs-row">
          <input value={c.name} maxLength={50} aria-label={t('research.sc.criterion')} onChange={(e) => setRubric({ ...rubric, criteria: rubric.criteria.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)) })} />
          <button type="button" className="link" disabled={rubric.criteria.length <= 1} onClick={() => setRubric({ ...rubric, criteria: rubric.criteria.filter((_, j) => j !== i) })}>
            {t('research.ann.delete')}
          </button>
        </div>
      ))}
      <button
        type="button"
        onClick={() => setRubric({ ...rubric, criteria: [...rubric.criteria, { id: `c${Date.now().toString(36)}`, name: t('research.rubric.newCriterion') }] })}
      >
        {t('research.rubric.add')}
      </button>
      <div className="rs-row">
        {rubric.levels.map((l, i) => (
          <input
            key={l.score}
            value={l.label}
            maxLength={30}
            aria-label={`${l.score}`}
            style={{ width: 80 }}
            onChange={(e) => setRubric({ ...rubric, levels: rubric.levels.map((x, j) => (j === i ? { ...x, label: e.target.value } : x)) })}
          />
        ))}
      </div>
      <button type="button" className="primary" onClick={() => void save()}>
        {t('research.session.save')}
      </button>
    </div>
  );
}
