// 导入 on the offline-activity log: a school's spreadsheet of activities (.xlsx or .csv) is first
// checked as a dry run — the rows that would be imported, or the table of problems (行, 列, 问题)
// when any row is wrong, since then nothing is imported — and imported only when the school
// confirms. The server re-reads and re-checks the same file on import (activityImportRoutes.ts).
import { useState } from 'react';
import type { ErrorCode } from '../../../../server/contract/errors.js';
import { ACTIVITY_IMPORT_LIMITS, type ActivityImportFailure, type ActivityImportIssue, type ActivityImportResult } from '../../../../server/contract/workspace/activityImport.js';
import { useI18n, tr, type MessageKey } from '../../i18n/index.js';
import { RequestError } from '../../requestError.js';
import { errorText } from '../../api.js';
import { toast } from '../../toast.js';
import type { SchoolChoice } from './ActivityForm.js';
import './activityImport.css';

const TEMPLATE_URL = '/api/workspace/activity-import/template.xlsx';

class ImportRefused extends Error {
  constructor(readonly failure: ActivityImportFailure) {
    super(failure.error.message);
  }
}

/** The file as the raw body; a refusal with row errors comes back as ImportRefused. */
async function sendFile(schoolId: string, file: File, dryRun: boolean): Promise<ActivityImportResult> {
  let res: Response;
  try {
    res = await fetch(`/api/workspace/schools/${encodeURIComponent(schoolId)}/activities/import?dryRun=${dryRun ? 1 : 0}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/octet-stream', accept: 'application/json' },
      body: file,
    });
  } catch {
    throw new RequestError('NETWORK', tr('error.network'), 0);
  }
  const json = (await res.json().catch(() => null)) as (ActivityImportResult & Partial<ActivityImportFailure>) | null;
  if (res.ok && json) return json;
  if (json?.rowErrors) throw new ImportRefused(json as ActivityImportFailure);
  const code: ErrorCode = json?.error?.code ?? (res.status === 413 ? 'TOO_LARGE' : 'INTERNAL');
  throw new RequestError(code, json?.error?.message || tr(`error.${code}` as MessageKey), res.status);
}

type State =
  | { step: 'idle' }
  | { step: 'busy'; label: string }
  | { step: 'preview'; file: File; result: ActivityImportResult }
  | { step: 'refused'; file: File; failure: ActivityImportFailure };

export function ActivityImport({ schools, onImported }: { schools: SchoolChoice[]; onImported(): void }) {
  const { t, lang } = useI18n();
  const [open, setOpen] = useState(false);
  const [schoolId, setSchoolId] = useState(schools[0]?.id ?? '');
  const [state, setState] = useState<State>({ step: 'idle' });
  const text = (e: ActivityImportIssue) => (lang === 'en' ? e.messageEn : e.message);

  const check = async (file: File) => {
    setState({ step: 'busy', label: t('wsi.checking', { name: file.name }) });
    try {
      setState({ step: 'preview', file, result: await sendFile(schoolId, file, true) });
    } catch (e) {
      if (e instanceof ImportRefused) setState({ step: 'refused', file, failure: e.failure });
      else {
        toast.error(errorText(e));
        setState({ step: 'idle' });
      }
    }
  };
  const commit = async (file: File) => {
    setState({ step: 'busy', label: t('wsi.importing') });
    try {
      const r = await sendFile(schoolId, file, false);
      toast.info(t('wsi.done', { n: r.imported }));
      setState({ step: 'idle' });
      setOpen(false);
      onImported();
    } catch (e) {
      if (e instanceof ImportRefused) setState({ step: 'refused', file, failure: e.failure });
      else {
        toast.error(errorText(e));
        setState({ step: 'idle' });
      }
    }
  };

  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)} data-testid="wsi-open">
        {t('wsi.open')}
      </button>
    );
  }
  const busy = state.step === 'busy';
  return (
    <div className="wsa-form wsi-panel" data-testid="wsi-panel">
      <div className="wsa-card-head">
        <strong>{t('wsi.title')}</strong>
        <a href={TEMPLATE_URL} download data-testid="wsi-template">
          {t('wsi.template')}
        </a>
      </div>
      <p className="muted-text">{t('wsi.hint', { max: ACTIVITY_IMPORT_LIMITS.rowsMax })}</p>
      <div className="row-gap">
        {schools.length > 1 && (
          <label>
            {t('wsi.school')}{' '}
            <select value={schoolId} disabled={busy} onChange={(e) => (setSchoolId(e.target.value), setState({ step: 'idle' }))} data-testid="wsi-school">
              {schools.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="button">
          {t('wsi.pick')}
          <input
            type="file"
            hidden
            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            disabled={busy || !schoolId}
            data-testid="wsi-file"
            onChange={(e) => {
              const f = e.target.files?.[0];
              e.target.value = '';
              if (f) void check(f);
            }}
          />
        </label>
        <button type="button" disabled={busy} onClick={() => (setOpen(false), setState({ step: 'idle' }))}>
          {t('wsi.close')}
        </button>
      </div>

      {state.step === 'busy' && <div className="muted-text">{state.label}</div>}

      {state.step === 'refused' && (
        <div className="wsi-errors" data-testid="wsi-errors">
          {state.failure.rowErrors.length === 1 && state.failure.rowErrors[0].row === 0 ? (
            <p>
              {t('wsi.fileError', { name: state.file.name })}
              {text(state.failure.rowErrors[0])}
            </p>
          ) : (
            <>
              <p>
                {t('wsi.failed', { name: state.file.name, n: state.failure.errorCount })}{' '}
                {state.failure.errorCount > state.failure.rowErrors.length && t('wsi.failedMore', { shown: state.failure.rowErrors.length, n: state.failure.errorCount })}
              </p>
              <table className="wsi-table">
                <thead>
                  <tr>
                    <th>{t('wsi.col.row')}</th>
                    <th>{t('wsi.col.column')}</th>
                    <th>{t('wsi.col.problem')}</th>
                  </tr>
                </thead>
                <tbody>
                  {state.failure.rowErrors.map((e, i) => (
                    <tr key={i} data-testid="wsi-error-row">
                      <td>{e.row}</td>
                      <td>{e.column ?? t('wsi.none')}</td>
                      <td>{text(e)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </div>
      )}

      {state.step === 'preview' && (
        <div data-testid="wsi-preview">
          <p>{t('wsi.preview', { name: state.file.name, n: state.result.rows.length, encoding: state.result.encoding === 'xlsx' ? 'Excel' : state.result.encoding.toUpperCase() })}</p>
          {state.result.warnings.length > 0 && (
            <div className="wsa-comment">
              {t('wsi.warnings')}
              <ul>
                {state.result.warnings.map((w, i) => (
                  <li key={i}>{text(w)}</li>
                ))}
              </ul>
            </div>
          )}
          <div className="wsi-scroll">
            <table className="wsi-table">
              <thead>
                <tr>
                  <th>{t('wsi.col.row')}</th>
                  <th>{t('wsi.col.day')}</th>
                  <th>{t('wsi.col.kind')}</th>
                  <th>{t('wsi.col.place')}</th>
                  <th>{t('wsi.col.people')}</th>
                  <th>{t('wsi.col.pairing')}</th>
                  <th>{t('wsi.col.teachers')}</th>
                </tr>
              </thead>
              <tbody>
                {state.result.rows.map((r) => (
                  <tr key={r.row}>
                    <td>{r.row}</td>
                    <td>{r.day}</td>
                    <td>{t(`wsa.kind.${r.kind}` as MessageKey)}</td>
                    <td>{r.place}</td>
                    <td>{r.people.join('、') || t('wsi.none')}</td>
                    <td>{r.pairedSchoolName ?? t('wsi.none')}</td>
                    <td>{r.teacherNames.join('、') || t('wsi.none')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <button type="button" className="primary" onClick={() => void commit(state.file)} data-testid="wsi-confirm">
            {t('wsi.confirm', { n: state.result.rows.length })}
          </button>
        </div>
      )}
    </div>
  );
}
