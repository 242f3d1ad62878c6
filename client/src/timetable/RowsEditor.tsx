// A small table editor for lists of records (bells, classes, calendar days, terms): every cell an
// input, rows added and removed, saved as a whole. Values are kept as text until saved.
import { useState } from 'react';
import { Choice } from '../components/Choice.js';
import { useI18n } from '../i18n/index.js';

export interface Column {
  key: string;
  label: string;
  type: 'text' | 'number' | 'time' | 'date' | 'select';
  options?: { value: string; label: string }[];
  width?: string;
}

export type Row = Record<string, string>;

export function RowsEditor({
  columns,
  initial,
  blank,
  onSave,
  onCancel,
  testId,
}: {
  columns: Column[];
  initial: Row[];
  blank: Row;
  onSave: (rows: Row[]) => Promise<void>;
  onCancel: () => void;
  testId: string;
}) {
  const { t } = useI18n();
  const [rows, setRows] = useState<Row[]>(initial);
  const [busy, setBusy] = useState(false);
  const set = (i: number, key: string, value: string) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, [key]: value } : r)));
  return (
    <div className="tt-editor" data-testid={testId}>
      <table className="tt-table">
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} style={c.width ? { width: c.width } : undefined}>
                {c.label}
              </th>
            ))}
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              {columns.map((c) => (
                <td key={c.key}>
                  {c.type === 'select' ? (
                    <Choice value={r[c.key] ?? ''} aria-label={c.label} options={(c.options ?? []).map((o) => [o.value, o.label])} onChange={(v) => set(i, c.key, v)} />
                  ) : (
                    <input type={c.type} aria-label={c.label} value={r[c.key] ?? ''} onChange={(e) => set(i, c.key, e.target.value)} />
                  )}
                </td>
              ))}
              <td>
                <button className="link danger-text" onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}>
                  {t('tt.remove')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row-gap">
        <button onClick={() => setRows((rs) => [...rs, { ...(rs[rs.length - 1] ?? blank) }])}>+ {t('tt.addRow')}</button>
        <span className="grow" />
        <button onClick={onCancel}>{t('tt.cancel')}</button>
        <button
          className="primary"
          data-testid={`${testId}-save`}
          disabled={busy}
          onClick={() => {
            setBusy(true);
            void onSave(rows).finally(() => setBusy(false));
          }}
        >
          {t('tt.save')}
        </button>
      </div>
    </div>
  );
}
