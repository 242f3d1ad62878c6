// The bureau reviewer's workspace: every community of the bureau with its pairings' roll-up
// (complete, overdue), a chart of each community's count against its thresholds, and the
// bureau's template for the year, which communities without targets of their own follow.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { BureauProgressResponse } from '../../../server/contract/workspace/progress.js';
import type { Target } from '../../../server/contract/workspace/targets.js';
import { errorText } from '../api.js';
import { Choice } from '../components/Choice.js';
import { useI18n } from '../i18n/index.js';
import { Link } from '../router.js';
import { EChart } from '../research/EChart.js';
import { TargetsEditor } from './TargetsEditor.js';
import { countBarsOption } from './targetChart.js';
import { thisYear, useTargetChartLabels, yearChoices } from './format.js';
import { communityPath, workspaceApi } from './workspaceApi.js';
import './workspace.css';

export function BureauDashboard({ bureauId }: { bureauId: string }) {
  const { t } = useI18n();
  const labels = useTargetChartLabels();
  const [year, setYear] = useState(thisYear());
  const [data, setData] = useState<BureauProgressResponse | null>(null);
  const [template, setTemplate] = useState<Target[]>([]);
  const [error, setError] = useState('');
  const reload = useCallback(() => {
    workspaceApi.bureauProgress(bureauId, year).then(setData, (e) => setError(errorText(e)));
    workspaceApi.template(bureauId, year).then((x) => setTemplate(x.targets), () => setTemplate([]));
  }, [bureauId, year]);
  useEffect(reload, [reload]);
  const option = useMemo(
    () =>
      data
        ? countBarsOption(
            data.communities.map((c) => ({ name: c.name, count: c.rollup.reduce((s, r) => s + r.count, 0), threshold: c.rollup.reduce((s, r) => s + r.threshold, 0) })),
            labels,
          )
        : null,
    [data, labels],
  );
  if (error) return <div className="page-message">{error}</div>;
  if (!data) return <div className="muted-text">{t('ws.loading')}</div>;
  const save = async (targets: Target[]) => {
    setTemplate((await workspaceApi.saveTemplate(bureauId, year, targets)).targets);
    reload();
  };
  return (
    <div className="ws-page" data-testid="ws-bureau">
      <h2>
        {t('ws.title')} · {data.bureau.name}
      </h2>
      <div className="ws-filters">
        <label>
          {t('ws.year')} <Choice value={year} options={yearChoices()} onChange={(v) => setYear(Number(v))} data-testid="ws-year" />
        </label>
      </div>
      <section className="panel">
        <h3 className="panel-title">{t('ws.communities')}</h3>
        <table className="ws-table">
          <tbody>
            {data.communities.map((c) => (
              <tr key={c.id} className={c.overduePairings ? 'ws-late-row' : ''}>
                <td>
                  <Link to={communityPath(c.id)}>{c.name}</Link>
                </td>
                <td>
                  {t('ws.pairings')} {c.pairings}
                </td>
                <td>{t('ws.completePairings', { n: c.completePairings })}</td>
                <td>{t('ws.overduePairings', { n: c.overduePairings })}</td>
                <td className="muted">{c.rollup.map((r) => `${r.title} ${r.count}/${r.threshold}`).join(' · ') || t('ws.source.none')}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {option && data.communities.length > 0 && <EChart option={option} height={260} testId="ws-bureau-chart" />}
      </section>
      <TargetsEditor year={year} targets={template} title={t('ws.editor.templateTitle', { year })} saveLabel={t('ws.editor.publish')} onSave={save} />
    </div>
  );
}
