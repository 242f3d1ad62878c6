// "Schedule for the term": dates from the two schools' terms, a preview of every date with the
// reasons it is skipped or clashes, then one click creates the lessons.
import { useState } from 'react';
import type { PublicUser } from '../../../server/contract/domain.js';
import type { SchoolTimetable, Slot, TermPlan } from '../../../server/contract/timetable.js';
import { formatHhmm, schoolDayOf } from '../../../server/contract/time.js';
import { errorText } from '../api.js';
import { TableHead } from '../components/TableHead.js';
import { useI18n, type MessageKey } from '../i18n/index.js';
import { toast } from '../toast.js';
import { msg, planTerm, scheduleTerm } from './api.js';
import { weekdayLabel } from './TimetablePage.js';

/** The term of a school that contains `day`, else the next one. */
function termAround(tt: SchoolTimetable, day: string) {
  return tt.terms.find((x) => x.startsOn <= day && day <= x.endsOn) ?? tt.terms.filter((x) => x.startsOn > day).sort((a, b) => a.startsOn.localeCompare(b.startsOn))[0];
}

export function defaultRange(city: SchoolTimetable, rural: SchoolTimetable, today: string): { from: string; to: string } {
  const a = termAround(city, today);
  const b = termAround(rural, today);
  const starts = [today, a?.startsOn, b?.startsOn].filter(Boolean) as string[];
  const ends = [a?.endsOn, b?.endsOn].filter(Boolean) as string[];
  const from = starts.sort().at(-1)!;
  const to = ends.length ? ends.sort()[0] : from;
  return { from, to: to < from ? from : to };
}

export function SchedulePanel({
  user,
  pairingId,
  slot,
  city,
  rural,
  allowanceMin,
  citySchoolId,
  onScheduled,
}: {
  user: PublicUser;
  pairingId: string;
  slot: Slot;
  city: SchoolTimetable;
  rural: SchoolTimetable;
  allowanceMin: number;
  citySchoolId: string;
  onScheduled: () => void;
}) {
  const { t } = useI18n();
  const today = schoolDayOf(new Date()).day;
  const initial = defaultRange(city, rural, today);
  const [from, setFrom] = useState(initial.from);
  const [to, setTo] = useState(initial.to);
  const [title, setTitle] = useState(`${slot.city.subject} · ${slot.city.classroomName} × ${rural.schoolName}${slot.rural.classroomName}`);
  const [plan, setPlan] = useState<TermPlan | null>(null);
  const [busy, setBusy] = useState(false);
  const canSchedule = user.role === 'community_admin' || (user.role === 'school_admin' && user.schoolId === citySchoolId) || (user.role === 'teacher' && user.id === slot.city.teacherId);
  const body = { cityClassId: slot.city.id, ruralClassId: slot.rural.id, from, to, allowanceMin, title };

  const preview = async () => {
    setBusy(true);
    try {
      setPlan(await planTerm(pairingId, body));
    } catch (e) {
      toast.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const schedule = async () => {
    setBusy(true);
    try {
      const r = await scheduleTerm(pairingId, body);
      toast.info(t('tt.scheduled', { n: r.lessonIds.length }));
      setPlan(await planTerm(pairingId, body));
      onScheduled();
    } catch (e) {
      toast.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const okCount = plan?.dates.filter((d) => d.status === 'ok').length ?? 0;

  return (
    <section className="panel tt-schedule" data-testid="tt-schedule">
      <h2 className="panel-title">
        {t('tt.scheduleTerm')} · {weekdayLabel(t, slot.weekday)} {formatHhmm(slot.startMin)}–{formatHhmm(slot.endMin)} · {slot.city.subject}
      </h2>
      <div className="tt-form">
        <label>
          {t('tt.from')} <input type="date" value={from} data-testid="tt-from" onChange={(e) => { setFrom(e.target.value); setPlan(null); }} />
        </label>
        <label>
          {t('tt.to')} <input type="date" value={to} data-testid="tt-to" onChange={(e) => { setTo(e.target.value); setPlan(null); }} />
        </label>
        <label className="grow">
          {t('tt.lessonTitle')} <input value={title} maxLength={120} onChange={(e) => setTitle(e.target.value)} />
        </label>
        <button data-testid="tt-preview" disabled={busy || !from || !to} onClick={() => void preview()}>
          {t('tt.preview')}
        </button>
      </div>
      {plan && (
        <>
          {plan.blocking.map((c, i) => (
            <div key={i} className="tt-blocking" data-testid="tt-blocking">
              {msg(c.message)}
            </div>
          ))}
          <table className="tt-table" data-testid="tt-plan">
            <TableHead labels={[t('tt.date'), t('tt.time'), t('tt.status'), t('tt.reasons')]} />
            <tbody>
              {plan.dates.map((d) => (
                <tr key={d.day} className={`tt-date-${d.status}`} data-testid={`tt-date-${d.day}`} data-status={d.status}>
                  <td>
                    {d.day} {weekdayLabel(t, plan.weekday)}
                  </td>
                  <td>
                    {formatHhmm(plan.startMin)}–{formatHhmm(plan.endMin)}
                  </td>
                  <td>
                    <span className={`badge tt-status-${d.status}`}>{t(`tt.status.${d.status}` as MessageKey)}</span>
                  </td>
                  <td>{d.reasons.map((r) => msg(r.message)).join('；')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {canSchedule ? (
            <button className="primary" data-testid="tt-schedule-go" disabled={busy || okCount === 0 || plan.blocking.length > 0} onClick={() => void schedule()}>
              {t('tt.scheduleN', { n: okCount })}
            </button>
          ) : (
            <div className="muted-text">{t('tt.cannotSchedule')}</div>
          )}
        </>
      )}
    </section>
  );
}
