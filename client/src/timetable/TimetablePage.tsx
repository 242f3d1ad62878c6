// 大课表 home: the pairings' shared week views, a school's bell schedule, class timetable, calendar
// and terms (edited and imported by its own admin, read by teachers), and calendar feeds.
import { useEffect, useState, type ReactNode } from 'react';
import type { PublicUser } from '../../../server/contract/domain.js';
import type { ImportKind, ImportResult, RowError, SchoolTimetable } from '../../../server/contract/timetable.js';
import { formatHhmm, parseHhmm } from '../../../server/contract/time.js';
import { errorText } from '../api.js';
import { Choice } from '../components/Choice.js';
import { TableHead } from '../components/TableHead.js';
import { useI18n, type MessageKey } from '../i18n/index.js';
import { Link } from '../router.js';
import { useCommunity } from '../session.js';
import { toast } from '../toast.js';
import { importFile, ImportError, loadSchool, msg, saveSchool } from './api.js';
import { FeedLink } from './FeedLink.js';
import { RowsEditor, type Column, type Row } from './RowsEditor.js';
import './timetable.css';

type Tab = 'bells' | 'classes' | 'calendar' | 'terms';
const TABS: Tab[] = ['bells', 'classes', 'calendar', 'terms'];

export const weekdayLabel = (t: (k: MessageKey) => string, d: number) => t(`tt.weekday.${d}` as MessageKey);

export function TimetablePage({ user }: { user: PublicUser }) {
  const { t } = useI18n();
  const community = useCommunity();
  const [schoolId, setSchoolId] = useState<string | null>(user.schoolId);
  const [tab, setTab] = useState<Tab>('bells');
  const [tt, setTt] = useState<SchoolTimetable | null>(null);
  const [editing, setEditing] = useState(false);

  const school = schoolId ?? community?.schools[0]?.id ?? null;
  useEffect(() => {
    if (!school) return;
    setTt(null);
    setEditing(false);
    loadSchool(school)
      .then(setTt)
      .catch((e) => toast.error(errorText(e)));
  }, [school]);

  if (user.role === 'classroom') return <div className="page-message">{t('admin.forbidden')}</div>;
  const canEdit = !!school && (user.role === 'community_admin' || (user.role === 'school_admin' && user.schoolId === school));
  const schoolName = (id: string) => community?.schools.find((s) => s.id === id)?.name ?? id;
  const pairings = (community?.pairings ?? []).filter(
    (p) => user.role === 'community_admin' || user.role === 'researcher' || p.citySchoolId === user.schoolId || p.ruralSchoolId === user.schoolId,
  );
  const rooms = (community?.classrooms ?? []).filter((c) => c.schoolId === school);
  const teachers = (community?.teachers ?? []).filter((x) => x.schoolId === school);

  return (
    <div className="tt-page" data-testid="timetable-page">
      <h1>{t('tt.title')}</h1>
      <section className="panel">
        <h2 className="panel-title">{t('tt.pairings')}</h2>
        {pairings.length === 0 && <div className="muted-text">{t('tt.noPairings')}</div>}
        <ul className="tt-pairings">
          {pairings.map((p) => (
            <li key={p.id}>
              <Link className="button" to={`/timetable/pairings/${encodeURIComponent(p.id)}`} data-testid={`pairing-link-${p.id}`}>
                {schoolName(p.citySchoolId)} × {schoolName(p.ruralSchoolId)}
              </Link>
            </li>
          ))}
        </ul>
      </section>

      <section className="panel">
        <div className="tt-school-head">
          <h2 className="panel-title">{t('tt.school')}</h2>
          <Choice value={school ?? ''} data-testid="tt-school" options={(community?.schools ?? []).map((s) => [s.id, s.name])} onChange={setSchoolId} />
        </div>
        <div className="tabs">
          {TABS.map((x) => (
            <button key={x} className={x === tab ? 'active' : ''} data-testid={`tt-tab-${x}`} onClick={() => { setTab(x); setEditing(false); }}>
              {t(`tt.tab.${x}` as MessageKey)}
            </button>
          ))}
        </div>
        {!tt ? (
          <div className="muted-text">{t('app.loading')}</div>
        ) : editing ? (
          <Editor tab={tab} tt={tt} rooms={rooms} teachers={teachers} onDone={(next) => { if (next) setTt(next); setEditing(false); }} />
        ) : (
          <>
            {tab === 'bells' && <BellsGrid tt={tt} />}
            {tab === 'classes' && <ClassesGrid tt={tt} />}
            {tab === 'calendar' && <CalendarList tt={tt} />}
            {tab === 'terms' && <TermsList tt={tt} />}
            {canEdit && (
              <div className="tt-edit-bar">
                <button data-testid="tt-edit" onClick={() => setEditing(true)}>
                  {t('tt.edit')}
                </button>
                {tab !== 'terms' && <ImportBox schoolId={tt.schoolId} kind={tab} onImported={setTt} />}
              </div>
            )}
          </>
        )}
      </section>

      <section className="panel">
        <h2 className="panel-title">{t('tt.feed.title')}</h2>
        <p className="muted-text">{t('tt.feed.hint')}</p>
        {user.role === 'teacher' && <FeedLink kind="teacher" id={user.id} label={t('tt.feed.mine')} />}
        {canEdit && rooms.map((r) => <FeedLink key={r.id} kind="classroom" id={r.id} label={`${schoolName(r.schoolId)} ${r.name}`} />)}
      </section>
    </div>
  );
}

function weekdaysOf(tt: SchoolTimetable): number[] {
  const days = new Set([...tt.bells.map((b) => b.weekday), ...tt.classes.map((c) => c.weekday)]);
  return [1, 2, 3, 4, 5, 6, 7].filter((d) => d <= 5 || days.has(d));
}

/** A week as a table: one row per period, one column per school day. */
function WeekGrid({ tt, periods, testId, cell }: { tt: SchoolTimetable; periods: number[]; testId: string; cell: (weekday: number, period: number) => ReactNode }) {
  const { t } = useI18n();
  const days = weekdaysOf(tt);
  return (
    <table className="tt-table tt-grid" data-testid={testId}>
      <TableHead labels={[t('tt.period'), ...days.map((d) => weekdayLabel(t, d))]} />
      <tbody>
        {periods.map((p) => (
          <tr key={p}>
            <th>{t('tt.periodN', { n: p })}</th>
            {days.map((d) => <td key={d}>{cell(d, p)}</td>)}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function BellsGrid({ tt }: { tt: SchoolTimetable }) {
  const { t } = useI18n();
  const periods = [...new Set(tt.bells.map((b) => b.period))].sort((a, b) => a - b);
  if (!periods.length) return <div className="muted-text">{t('tt.empty')}</div>;
  return (
    <WeekGrid tt={tt} periods={periods} testId="tt-bells" cell={(d, p) => {
      const b = tt.bells.find((x) => x.weekday === d && x.period === p);
      return b ? `${formatHhmm(b.startMin)}–${formatHhmm(b.endMin)}` : '';
    }} />
  );
}

function ClassesGrid({ tt }: { tt: SchoolTimetable }) {
  const { t } = useI18n();
  const periods = [...new Set([...tt.bells.map((b) => b.period), ...tt.classes.map((c) => c.period)])].sort((a, b) => a - b);
  if (!tt.classes.length) return <div className="muted-text">{t('tt.empty')}</div>;
  return (
    <WeekGrid tt={tt} periods={periods} testId="tt-classes" cell={(d, p) =>
      tt.classes
        .filter((c) => c.weekday === d && c.period === p)
        .map((c) => (
          <div key={c.id} className="tt-class">
            <b>{c.subject}</b> {c.classroomName}
            {c.teacherName && <span className="muted-text"> · {c.teacherName}</span>}
          </div>
        ))
    } />
  );
}

/** A tab's records one a line (calendar days, terms), or 暂无 when there are none. */
function RecordList<T>({ items, testId, keyOf, line }: { items: T[]; testId: string; keyOf: (x: T) => string; line: (x: T) => ReactNode }) {
  const { t } = useI18n();
  if (!items.length) return <div className="muted-text">{t('tt.empty')}</div>;
  return (
    <ul className="tt-calendar" data-testid={testId}>
      {items.map((x) => (
        <li key={keyOf(x)}>{line(x)}</li>
      ))}
    </ul>
  );
}

function CalendarList({ tt }: { tt: SchoolTimetable }) {
  const { t } = useI18n();
  return (
    <RecordList
      items={tt.calendar}
      testId="tt-calendar"
      keyOf={(d) => d.day}
      line={(d) => (
        <>
          <span className={`badge tt-kind-${d.kind}`}>{t(`tt.kind.${d.kind}` as MessageKey)}</span> {d.day} {d.note}
        </>
      )}
    />
  );
}

function TermsList({ tt }: { tt: SchoolTimetable }) {
  return (
    <RecordList
      items={tt.terms}
      testId="tt-terms"
      keyOf={(x) => x.id}
      line={(x) => (
        <>
          <b>{x.name}</b> {x.startsOn} – {x.endsOn}
        </>
      )}
    />
  );
}

function Editor({
  tab,
  tt,
  rooms,
  teachers,
  onDone,
}: {
  tab: Tab;
  tt: SchoolTimetable;
  rooms: { id: string; name: string; grade: number | null }[];
  teachers: { id: string; displayName: string }[];
  onDone: (next: SchoolTimetable | null) => void;
}) {
  const { t } = useI18n();
  const weekdays = [1, 2, 3, 4, 5, 6, 7].map((d) => ({ value: String(d), label: weekdayLabel(t, d) }));
  const save = async (what: Tab, body: unknown) => {
    try {
      onDone(await saveSchool(tt.schoolId, what, body));
      toast.info(t('tt.saved'));
    } catch (e) {
      toast.error(errorText(e));
    }
  };
  const num = (s: string) => Number(s);
  const time = (s: string) => parseHhmm(s) ?? NaN;
  let columns: Column[];
  let initial: Row[];
  let blank: Row;
  let toBody: (rows: Row[]) => unknown;
  if (tab === 'bells') {
    columns = [
      { key: 'weekday', label: t('tt.weekday'), type: 'select', options: weekdays },
      { key: 'period', label: t('tt.period'), type: 'number', width: '6em' },
      { key: 'start', label: t('tt.start'), type: 'time' },
      { key: 'end', label: t('tt.end'), type: 'time' },
    ];
    initial = tt.bells.map((b) => ({ weekday: String(b.weekday), period: String(b.period), start: formatHhmm(b.startMin), end: formatHhmm(b.endMin) }));
    blank = { weekday: '1', period: '1', start: '08:00', end: '08:40' };
    toBody = (rows) => ({ periods: rows.map((r) => ({ weekday: num(r.weekday), period: num(r.period), startMin: time(r.start), endMin: time(r.end) })) });
  } else if (tab === 'classes') {
    columns = [
      { key: 'weekday', label: t('tt.weekday'), type: 'select', options: weekdays },
      { key: 'period', label: t('tt.period'), type: 'number', width: '6em' },
      { key: 'classroomId', label: t('tt.class'), type: 'select', options: rooms.map((r) => ({ value: r.id, label: r.name })) },
      { key: 'subject', label: t('tt.subject'), type: 'text' },
      { key: 'grade', label: t('tt.grade'), type: 'number', width: '6em' },
      { key: 'teacherId', label: t('tt.teacher'), type: 'select', options: [{ value: '', label: '—' }, ...teachers.map((x) => ({ value: x.id, label: x.displayName }))] },
      { key: 'teacherName', label: t('tt.teacherName'), type: 'text' },
    ];
    initial = tt.classes.map((c) => ({ weekday: String(c.weekday), period: String(c.period), classroomId: c.classroomId, subject: c.subject, grade: String(c.grade), teacherId: c.teacherId ?? '', teacherName: c.teacherName }));
    blank = { weekday: '1', period: '1', classroomId: rooms[0]?.id ?? '', subject: '', grade: String(rooms[0]?.grade ?? ''), teacherId: '', teacherName: '' };
    toBody = (rows) => ({
      classes: rows.map((r) => ({
        weekday: num(r.weekday),
        period: num(r.period),
        classroomId: r.classroomId,
        subject: r.subject,
        grade: num(r.grade),
        teacherId: r.teacherId || null,
        teacherName: r.teacherName || teachers.find((x) => x.id === r.teacherId)?.displayName || '',
      })),
    });
  } else if (tab === 'calendar') {
    columns = [
      { key: 'day', label: t('tt.date'), type: 'date' },
      { key: 'kind', label: t('tt.kind'), type: 'select', options: [{ value: 'holiday', label: t('tt.kind.holiday') }, { value: 'exam', label: t('tt.kind.exam') }] },
      { key: 'note', label: t('tt.note'), type: 'text' },
    ];
    initial = tt.calendar.map((d) => ({ day: d.day, kind: d.kind, note: d.note }));
    blank = { day: '', kind: 'holiday', note: '' };
    toBody = (rows) => ({ days: rows.map((r) => ({ day: r.day, kind: r.kind, note: r.note })) });
  } else {
    columns = [
      { key: 'name', label: t('tt.termName'), type: 'text' },
      { key: 'startsOn', label: t('tt.termStart'), type: 'date' },
      { key: 'endsOn', label: t('tt.termEnd'), type: 'date' },
    ];
    initial = tt.terms.map((x) => ({ name: x.name, startsOn: x.startsOn, endsOn: x.endsOn }));
    blank = { name: '', startsOn: '', endsOn: '' };
    toBody = (rows) => ({ terms: rows });
  }
  return <RowsEditor testId={`tt-editor-${tab}`} columns={columns} initial={initial} blank={blank} onCancel={() => onDone(null)} onSave={(rows) => save(tab, toBody(rows))} />;
}

function ImportBox({ schoolId, kind, onImported }: { schoolId: string; kind: ImportKind; onImported: (tt: SchoolTimetable) => void }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<RowError[] | null>(null);
  const [done, setDone] = useState<ImportResult | null>(null);
  const upload = async (file: File) => {
    setBusy(true);
    setErrors(null);
    setDone(null);
    try {
      const r = await importFile(schoolId, kind, file);
      setDone(r.result);
      onImported(r.timetable);
    } catch (e) {
      if (e instanceof ImportError) setErrors(e.rowErrors);
      else toast.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="tt-import" data-testid={`tt-import-${kind}`}>
      <label className="button">
        {t('tt.import')}
        <input
          type="file"
          hidden
          accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          disabled={busy}
          data-testid={`tt-import-file-${kind}`}
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) void upload(f);
          }}
        />
      </label>
      <span className="muted-text">{t(`tt.importHint.${kind}` as MessageKey)}</span>
      {done && (
        <div className="tt-import-ok" data-testid="tt-import-ok">
          {t('tt.imported', { n: done.imported, encoding: done.encoding === 'gbk' ? 'GBK' : done.encoding === 'xlsx' ? 'Excel' : 'UTF-8' })}
        </div>
      )}
      {errors && (
        <div className="tt-import-errors" data-testid="tt-import-errors">
          <b>{t('tt.importFailed')}</b>
          <ul>
            {errors.map((e, i) => (
              <li key={i}>{msg(e.message)}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
