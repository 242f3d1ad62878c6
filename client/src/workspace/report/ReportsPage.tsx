// /workspace/reports — the yearly 捆绑考核 report (download as .docx, .xlsx, PDF or the evidence
// pack), the rural classrooms' participation from the lessons, and the usage statistics (人 / 人次
// by month × module, filtered by role, terminal and school). A school's staff see their own
// pairings' reports; the community's people and the bureau's reviewers also the whole community
// and its usage (the server decides: server/workspace/reportRoutes.ts).
import { useEffect, useMemo, useState } from 'react';
import { ROLES, type PublicUser, type Role } from '../../../../server/contract/domain.js';
import type { OrgResponse } from '../../../../server/contract/workspace/org.js';
import type { ReportData } from '../../../../server/contract/workspace/report.js';
import { USAGE_MODULES, USAGE_TERMINALS, type UsageReport, type UsageTerminal } from '../../../../server/contract/workspace/usage.js';
import { api, errorText } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import './reports.css';

const FORMATS = ['docx', 'xlsx', 'pdf', 'zip'] as const;

type Scope = { kind: 'community'; id: string } | { kind: 'pairing'; id: string } | { kind: 'bureau'; id: string };

const reportBase = (s: Scope) => (s.kind === 'pairing' ? `/api/workspace/pairings/${encodeURIComponent(s.id)}/report` : `/api/workspace/communities/${encodeURIComponent(s.id)}/report`);
const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);

export function ReportsPage({ user }: { user: PublicUser }) {
  const { t } = useI18n();
  const thisYear = new Date().getFullYear();
  const [year, setYear] = useState(thisYear);
  const [org, setOrg] = useState<OrgResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [scopeKey, setScopeKey] = useState('');
  const schoolStaff = user.role === 'teacher' || user.role === 'school_admin';

  useEffect(() => {
    api<OrgResponse>('GET', '/api/workspace/org').then(setOrg, (e) => setError(errorText(e)));
  }, []);

  const scopes = useMemo(() => {
    const out: { key: string; scope: Scope; label: string }[] = [];
    if (org?.bureau) out.push({ key: `b:${org.bureau.id}`, scope: { kind: 'bureau', id: org.bureau.id }, label: org.bureau.name });
    for (const c of org?.communities ?? []) {
      if (!schoolStaff) out.push({ key: `c:${c.id}`, scope: { kind: 'community', id: c.id }, label: t('reports.scope.community', { name: c.name }) });
      for (const p of c.pairings) out.push({ key: `p:${p.id}`, scope: { kind: 'pairing', id: p.id }, label: t('reports.scope.pairing', { name: `${p.citySchool.name} — ${p.ruralSchool.name}` }) });
    }
    return out;
  }, [org, schoolStaff, t]);
  const chosen = scopes.find((s) => s.key === scopeKey) ?? scopes.find((s) => s.scope.kind !== 'bureau') ?? null;
  // The report belongs to a community or a pairing; with the bureau chosen, its first community's.
  const reportScope: Scope | null = chosen?.scope.kind === 'bureau' ? (org?.communities[0] ? { kind: 'community', id: org.communities[0].id } : null) : (chosen?.scope ?? null);
  const schools = org?.communities.flatMap((c) => c.schools) ?? [];

  if (error) return <div className="page-message">{error}</div>;
  if (!org) return <div className="muted-text">{t('reports.loading')}</div>;
  if (!scopes.length) return <div className="page-message">{t('reports.noOrg')}</div>;

  return (
    <div className="wr-page" data-testid="workspace-reports">
      <h2>{t('reports.title')}</h2>
      <div className="wr-controls">
        <label>
          {t('reports.year')}{' '}
          <select value={year} onChange={(e) => setYear(Number(e.target.value))} data-testid="reports-year">
            {[thisYear, thisYear - 1, thisYear - 2].map((y) => (
              <option key={y} value={y}>
                {y}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('reports.scope')}{' '}
          <select value={chosen?.key ?? ''} onChange={(e) => setScopeKey(e.target.value)} data-testid="reports-scope">
            {scopes.map((s) => (
              <option key={s.key} value={s.key}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {reportScope && (
        <div className="wr-downloads">
          {t('reports.download')}：
          {FORMATS.map((f) => (
            <a key={f} className="button" href={`${reportBase(reportScope)}.${f}?year=${year}`} download data-testid={`reports-download-${f}`}>
              {t(`reports.format.${f}`)}
            </a>
          ))}
        </div>
      )}
      {reportScope && <Participation scope={reportScope} year={year} />}
      {schoolStaff ? <p className="muted">{t('reports.usage.schoolOnly')}</p> : chosen && <Usage scope={chosen.scope.kind === 'pairing' ? null : chosen.scope} year={year} schools={schools} />}
    </div>
  );
}

function Participation({ scope, year }: { scope: Scope; year: number }) {
  const { t } = useI18n();
  const [data, setData] = useState<ReportData | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setData(null);
    setError(null);
    api<ReportData>('GET', `${reportBase(scope)}?year=${year}`).then(setData, (e) => setError(errorText(e)));
  }, [scope.kind, scope.id, year]); // eslint-disable-line react-hooks/exhaustive-deps
  const rows = data?.pairings.flatMap((p) => p.participation.map((c) => ({ pairing: `${p.citySchool.name} — ${p.ruralSchool.name}`, ...c }))) ?? [];
  return (
    <section className="wr-section">
      <h3>{t('reports.participation')}</h3>
      {error && <div className="muted">{error}</div>}
      {!data && !error && <div className="muted">{t('reports.loading')}</div>}
      {data && rows.length === 0 && <div className="muted">{t('reports.participation.empty')}</div>}
      {rows.length > 0 && (
        <table className="wr-table" data-testid="reports-participation">
          <thead>
            <tr>
              {(['pairing', 'classroom', 'lessons', 'attended', 'connected', 'hands', 'stage', 'quiz', 'talk'] as const).map((k) => (
                <th key={k}>{t(`reports.col.${k}`)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.pairing}/${r.classroomId}`}>
                <td>{r.pairing}</td>
                <td>{r.classroomName}</td>
                <td>{r.lessons}</td>
                <td>{r.attended}</td>
                <td>{r.connectedMin}</td>
                <td>{r.hands}</td>
                <td>{r.stageMin}</td>
                <td>
                  {r.quizzesAnswered}/{r.quizzesAsked}
                </td>
                <td>{pct(r.talkShare)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Usage({ scope, year, schools }: { scope: Scope | null; year: number; schools: { id: string; name: string }[] }) {
  const { t } = useI18n();
  const [role, setRole] = useState<Role | ''>('');
  const [terminal, setTerminal] = useState<UsageTerminal | ''>('');
  const [schoolId, setSchoolId] = useState('');
  const [usage, setUsage] = useState<UsageReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!scope) return;
    const q = new URLSearchParams({ [scope.kind === 'bureau' ? 'bureauId' : 'communityId']: scope.id, year: String(year) });
    if (role) q.set('role', role);
    if (terminal) q.set('terminal', terminal);
    if (schoolId) q.set('schoolId', schoolId);
    setError(null);
    api<UsageReport>('GET', `/api/workspace/usage?${q}`).then(setUsage, (e) => setError(errorText(e)));
  }, [scope?.kind, scope?.id, year, role, terminal, schoolId]); // eslint-disable-line react-hooks/exhaustive-deps
  if (!scope) return null;
  const months = [...new Set(usage?.byMonthModule.map((r) => r.month) ?? [])].sort();
  const cell = (month: string, module: string) => usage?.byMonthModule.find((r) => r.month === month && r.module === module);
  return (
    <section className="wr-section">
      <h3>{t('reports.usage')}</h3>
      <div className="wr-controls">
        <label>
          {t('reports.filter.role')}{' '}
          <select value={role} onChange={(e) => setRole(e.target.value as Role | '')} data-testid="usage-role">
            <option value="">{t('reports.filter.all')}</option>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('reports.filter.terminal')}{' '}
          <select value={terminal} onChange={(e) => setTerminal(e.target.value as UsageTerminal | '')} data-testid="usage-terminal">
            <option value="">{t('reports.filter.all')}</option>
            {USAGE_TERMINALS.map((x) => (
              <option key={x} value={x}>
                {t(`reports.terminal.${x}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('reports.filter.school')}{' '}
          <select value={schoolId} onChange={(e) => setSchoolId(e.target.value)} data-testid="usage-school">
            <option value="">{t('reports.filter.all')}</option>
            {schools.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error && <div className="muted">{error}</div>}
      {usage && months.length === 0 && <div className="muted">{t('reports.usage.empty')}</div>}
      {usage && months.length > 0 && (
        <table className="wr-table" data-testid="reports-usage">
          <thead>
            <tr>
              <th>{t('reports.usage.month')}</th>
              {USAGE_MODULES.map((m) => (
                <th key={m}>{t(`reports.module.${m}`)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {months.map((month) => (
              <tr key={month}>
                <td>{month}</td>
                {USAGE_MODULES.map((m) => {
                  const c = cell(month, m);
                  return <td key={m}>{c ? t('reports.usage.cell', { people: c.people, visits: c.visits }) : '—'}</td>;
                })}
              </tr>
            ))}
            <tr className="wr-total">
              <td>{t('reports.usage.total')}</td>
              {USAGE_MODULES.map((m) => {
                const c = usage.byModule.find((r) => r.module === m);
                return <td key={m}>{c ? t('reports.usage.cell', { people: c.people, visits: c.visits }) : '—'}</td>;
              })}
            </tr>
          </tbody>
        </table>
      )}
    </section>
  );
}
