// 新建同步课: host = a classroom of the teacher's school; receiving = classrooms of paired rural schools.
import { useMemo, useState, type FormEvent } from 'react';
import type { CreateLessonBody, LessonResponse } from '../../../server/contract/api.js';
import type { Lesson, PublicUser } from '../../../server/contract/domain.js';
import { api, errorText } from '../api.js';
import { Choice } from '../components/Choice.js';
import { useI18n } from '../i18n/index.js';
import { useCommunity } from '../session.js';
import { toLocalInput } from '../time.js';
import { toast } from '../toast.js';

const GRADES = Array.from({ length: 12 }, (_, i) => [i + 1, String(i + 1)] as const);

export function NewLessonForm({ user, onCreated, onCancel }: { user: PublicUser; onCreated: (l: Lesson) => void; onCancel: () => void }) {
  const { t } = useI18n();
  const community = useCommunity();
  const [title, setTitle] = useState('');
  const [subject, setSubject] = useState('');
  const [grade, setGrade] = useState(3);
  const [hostId, setHostId] = useState('');
  const [receiving, setReceiving] = useState<string[]>([]);
  const [when, setWhen] = useState(() => {
    const d = new Date(Date.now() + 10 * 60_000);
    d.setMinutes(Math.ceil(d.getMinutes() / 5) * 5, 0, 0);
    return toLocalInput(d);
  });
  const [duration, setDuration] = useState(40);
  const [busy, setBusy] = useState(false);

  const { hostRooms, ruralRooms } = useMemo(() => {
    if (!community) return { hostRooms: [], ruralRooms: [] };
    const schoolName = (id: string) => community.schools.find((s) => s.id === id)?.name ?? '';
    const hostRooms = community.classrooms.filter((c) => c.schoolId === user.schoolId);
    const ruralSchools = new Set(
      community.pairings
        .filter((p) => p.citySchoolId === user.schoolId)
        .map((p) => p.ruralSchoolId)
        .filter((id) => community.schools.find((s) => s.id === id)?.kind !== 'city'),
    );
    const ruralRooms = community.classrooms
      .filter((c) => ruralSchools.has(c.schoolId))
      .map((c) => ({ ...c, label: `${schoolName(c.schoolId)} ${c.name}` }));
    return { hostRooms, ruralRooms };
  }, [community, user.schoolId]);

  const host = hostId || hostRooms[0]?.id || '';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (receiving.length === 0) {
      toast.error(t('newLesson.pickReceiving'));
      return;
    }
    const at = new Date(when);
    if (!title.trim() || !subject.trim() || !host || Number.isNaN(at.getTime())) return;
    const body: CreateLessonBody = {
      title: title.trim(),
      subject: subject.trim(),
      grade,
      hostClassroomId: host,
      receivingClassroomIds: receiving,
      scheduledAt: at.toISOString(),
      durationMin: duration,
    };
    setBusy(true);
    try {
      const { lesson } = await api<LessonResponse>('POST', '/api/lessons', body);
      onCreated(lesson);
    } catch (err) {
      toast.error(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="panel new-lesson-form" onSubmit={submit} data-testid="new-lesson-form">
      <h2 className="panel-title">{t('newLesson.title')}</h2>
      <div className="form-grid">
        <label className="field">
          <span>{t('newLesson.lessonTitle')}</span>
          <input data-testid="new-lesson-title" required maxLength={120} value={title} onChange={(e) => setTitle(e.target.value)} />
        </label>
        <label className="field">
          <span>{t('newLesson.subject')}</span>
          <input data-testid="new-lesson-subject" required maxLength={40} value={subject} onChange={(e) => setSubject(e.target.value)} />
        </label>
        <label className="field">
          <span>{t('newLesson.grade')}</span>
          <Choice data-testid="new-lesson-grade" value={grade} options={GRADES} onChange={(v) => setGrade(Number(v))} />
        </label>
        <label className="field">
          <span>{t('newLesson.host')}</span>
          <Choice data-testid="new-lesson-host" value={host} options={hostRooms.map((c) => [c.id, c.name])} onChange={setHostId} required />
        </label>
        <label className="field">
          <span>{t('newLesson.scheduledAt')}</span>
          <input data-testid="new-lesson-time" type="datetime-local" required value={when} onChange={(e) => setWhen(e.target.value)} />
        </label>
        <label className="field">
          <span>{t('newLesson.duration')}</span>
          <input
            data-testid="new-lesson-duration"
            type="number"
            min={5}
            max={240}
            value={duration}
            onChange={(e) => setDuration(Math.max(5, Math.min(240, Number(e.target.value) || 40)))}
          />
        </label>
      </div>
      <fieldset className="field receiving-field">
        <legend>{t('newLesson.receiving')}</legend>
        {ruralRooms.length === 0 && <div className="muted-text">{t('newLesson.noReceiving')}</div>}
        <div className="checkbox-grid">
          {ruralRooms.map((c) => (
            <label key={c.id} className="checkbox">
              <input
                type="checkbox"
                data-testid={`new-lesson-receiving-${c.id}`}
                checked={receiving.includes(c.id)}
                disabled={!receiving.includes(c.id) && receiving.length >= 8}
                onChange={(e) => setReceiving(e.target.checked ? [...receiving, c.id] : receiving.filter((x) => x !== c.id))}
              />
              {c.label}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="row-gap">
        <button type="submit" className="primary" data-testid="new-lesson-submit" disabled={busy}>
          {t('newLesson.submit')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('newLesson.cancel')}
        </button>
      </div>
    </form>
  );
}
