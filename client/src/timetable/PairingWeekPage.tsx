// 大课表 of a pairing: both schools' timetables on one week grid, matching slots highlighted,
// and the flow that schedules a term of synchronous lessons from a chosen slot.
import { useCallback, useEffect, useState } from 'react';
import type { PublicUser } from '../../../server/contract/domain.js';
import type { ClassSlot, SchoolTimetable, Slot } from '../../../server/contract/timetable.js';
import { formatHhmm } from '../../../server/contract/time.js';
import { errorText } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { Link } from '../router.js';
import { toast } from '../toast.js';
import { DEFAULT_ALLOWANCE_MIN, loadWeek, type WeekView } from './api.js';
import { SchedulePanel } from './SchedulePanel.js';
import { weekdayLabel } from './TimetablePage.js';
import './timetable.css';

const PX_PER_MIN = 1.6;

export function PairingWeekPage({ user, pairingId }: { user: PublicUser; pairingId: string }) {
  const { t } = useI18n();
  const [allowance, setAllowance] = useState(DEFAULT_ALLOWANCE_MIN);
  const [week, setWeek] = useState<WeekView | null>(null);
  const [selected, setSelected] = useState<Slot | null>(null);

  const load = useCallback(() => {
    loadWeek(pairingId, allowance)
      .then((w) => {
        setWeek(w);
        setSelected((s) => (s ? (w.slots.find((x) => x.city.id === s.city.id && x.rural.id === s.rural.id) ?? null) : null));
      })
      .catch((e) => toast.error(errorText(e)));
  }, [pairingId, allowance]);
  useEffect(load, [load]);

  if (!week) return <div className="muted-text">{t('app.loading')}</div>;
  const { city, rural, slots } = week;
  const allBells = [...city.bells, ...rural.bells];
  const dayStart = allBells.length ? Math.floor(Math.min(...allBells.map((b) => b.startMin)) / 30) * 30 : 8 * 60;
  const dayEnd = allBells.length ? Math.ceil(Math.max(...allBells.map((b) => b.endMin)) / 30) * 30 : 16 * 60;
  const days = [1, 2, 3, 4, 5, 6, 7].filter((d) => d <= 5 || allBells.some((b) => b.weekday === d));
  const inSlot = (c: ClassSlot) => slots.find((s) => s.city.id === c.id || s.rural.id === c.id);
  const hours: number[] = [];
  for (let m = dayStart; m <= dayEnd; m += 60) hours.push(m);

  const lane = (tt: SchoolTimetable, weekday: number, side: 'city' | 'rural') => (
    <div className={`tt-lane tt-lane-${side}`}>
      {tt.bells
        .filter((b) => b.weekday === weekday)
        .map((b) => {
          const classes = tt.classes.filter((c) => c.weekday === weekday && c.period === b.period);
          return (
            <div
              key={b.period}
              className="tt-block"
              style={{ top: (b.startMin - dayStart) * PX_PER_MIN, height: (b.endMin - b.startMin) * PX_PER_MIN }}
              title={`${formatHhmm(b.startMin)}–${formatHhmm(b.endMin)}`}
            >
              <div className="tt-block-time">
                {t('tt.periodN', { n: b.period })} {formatHhmm(b.startMin)}
              </div>
              {classes.map((c) => {
                const s = inSlot(c);
                const isSel = !!selected && (selected.city.id === c.id || selected.rural.id === c.id);
                return (
                  <button
                    key={c.id}
                    className={`tt-chip${s ? ' match' : ''}${isSel ? ' selected' : ''}`}
                    data-testid={`tt-chip-${c.id}`}
                    data-match={s ? 'true' : 'false'}
                    disabled={!s}
                    onClick={() => s && setSelected(s)}
                  >
                    {c.subject} · {c.classroomName}
                  </button>
                );
              })}
            </div>
          );
        })}
    </div>
  );

  return (
    <div className="tt-page" data-testid="pairing-week">
      <div className="home-head">
        <h1>
          {t('tt.weekTitle')} · {city.schoolName} × {rural.schoolName}
        </h1>
        <Link to="/timetable">{t('nav.back')}</Link>
      </div>
      <div className="tt-legend row-gap">
        <span className="tt-swatch city" /> {city.schoolName}
        <span className="tt-swatch rural" /> {rural.schoolName}
        <span className="tt-swatch match" /> {t('tt.matchLegend')}
        <label className="tt-allowance">
          {t('tt.allowance')}
          <input
            type="number"
            min={0}
            max={30}
            value={allowance}
            data-testid="tt-allowance"
            onChange={(e) => setAllowance(Math.max(0, Math.min(30, Number(e.target.value) || 0)))}
          />
          {t('tt.minutes')}
        </label>
      </div>
      <div className="tt-week" data-testid="tt-week-grid">
        <div className="tt-axis" style={{ height: (dayEnd - dayStart) * PX_PER_MIN }}>
          {hours.map((m) => (
            <div key={m} className="tt-hour" style={{ top: (m - dayStart) * PX_PER_MIN }}>
              {formatHhmm(m)}
            </div>
          ))}
        </div>
        {days.map((d) => (
          <div key={d} className="tt-day" data-testid={`tt-day-${d}`}>
            <div className="tt-day-head">{weekdayLabel(t, d)}</div>
            <div className="tt-day-body" style={{ height: (dayEnd - dayStart) * PX_PER_MIN }}>
              {slots
                .filter((s) => s.weekday === d)
                .map((s) => (
                  <div
                    key={`${s.city.id}-${s.rural.id}`}
                    className="tt-band"
                    style={{ top: (s.startMin - dayStart) * PX_PER_MIN, height: (s.endMin - s.startMin) * PX_PER_MIN }}
                  />
                ))}
              {lane(city, d, 'city')}
              {lane(rural, d, 'rural')}
            </div>
          </div>
        ))}
      </div>

      <section className="panel">
        <h2 className="panel-title">
          {t('tt.slots')} <span className="count">{slots.length}</span>
        </h2>
        {slots.length === 0 && <div className="muted-text">{t('tt.noSlots')}</div>}
        <ul className="tt-slot-list" data-testid="tt-slots">
          {slots.map((s) => (
            <li key={`${s.city.id}-${s.rural.id}`} className={selected && selected.city.id === s.city.id && selected.rural.id === s.rural.id ? 'selected' : ''} data-testid={`tt-slot-${s.city.id}-${s.rural.id}`}>
              <span>
                <b>{weekdayLabel(t, s.weekday)}</b> {formatHhmm(s.startMin)}–{formatHhmm(s.endMin)} · {s.city.subject} {t('tt.gradeN', { n: s.city.grade })} ·{' '}
                {s.city.classroomName}（{formatHhmm(s.cityTime.startMin)}）× {s.rural.classroomName}（{formatHhmm(s.ruralTime.startMin)}）
                {s.misalignMin > 0 && <span className="muted-text"> · {t('tt.misalign', { n: s.misalignMin })}</span>}
              </span>
              <button data-testid={`tt-slot-pick-${s.city.id}-${s.rural.id}`} onClick={() => setSelected(s)}>
                {t('tt.scheduleTerm')}
              </button>
            </li>
          ))}
        </ul>
      </section>

      {selected && (
        <SchedulePanel
          key={`${selected.city.id}-${selected.rural.id}`}
          user={user}
          pairingId={pairingId}
          slot={selected}
          city={city}
          rural={rural}
          allowanceMin={allowance}
          citySchoolId={week.pairing.citySchoolId}
          onScheduled={load}
        />
      )}
    </div>
  );
}
