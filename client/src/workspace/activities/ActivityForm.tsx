// 登记线下活动: kind, date, place, people, teachers, subject, description, pairing. Creates a draft
// (evidence is added on the saved activity) or edits one that is a draft or was returned.
import { useEffect, useState, type FormEvent } from 'react';
import { OFFLINE_ACTIVITY_KINDS, type WorkspaceActivity } from '../../../../server/contract/workspace/activities.js';
import { errorText } from '../../api.js';
import { Choice } from '../../components/Choice.js';
import { useI18n } from '../../i18n/index.js';
import { toast } from '../../toast.js';
import { activitiesApi, type ActivityFields, type StaffPerson } from './activitiesApi.js';

export interface SchoolChoice {
  id: string;
  name: string;
  pairings: { id: string; label: string }[];
}

const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10); // a Shanghai day

/** "王老师、李老师, 四年级(1)班" → names. */
const splitPeople = (s: string) =>
  s
    .split(/[,，、;；\n]/)
    .map((x) => x.trim())
    .filter(Boolean);

export function ActivityForm({
  schools,
  editing,
  onSaved,
  onCancel,
}: {
  schools: SchoolChoice[];
  editing: WorkspaceActivity | null;
  onSaved(a: WorkspaceActivity): void;
  onCancel(): void;
}) {
  const { t } = useI18n();
  const [schoolId, setSchoolId] = useState(editing?.schoolId ?? schools[0]?.id ?? '');
  const [kind, setKind] = useState<ActivityFields['kind']>(editing?.kind ?? 'send_teaching');
  const [day, setDay] = useState(editing?.day ?? today());
  const [place, setPlace] = useState(editing?.place ?? '');
  const [people, setPeople] = useState((editing?.people ?? []).join('、'));
  const [teacherIds, setTeacherIds] = useState<string[]>(editing?.teacherIds ?? []);
  const [subject, setSubject] = useState(editing?.subject ?? '');
  const [description, setDescription] = useState(editing?.description ?? '');
  const [pairingId, setPairingId] = useState(editing?.pairingId ?? '');
  const [staff, setStaff] = useState<StaffPerson[]>([]);
  const [busy, setBusy] = useState(false);
  const school = schools.find((s) => s.id === schoolId);

  useEffect(() => {
    if (!schoolId) return;
    activitiesApi.people(schoolId).then((p) => setStaff(p.people), () => setStaff([]));
  }, [schoolId]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const fields: ActivityFields = {
      kind,
      day,
      place: place.trim(),
      people: splitPeople(people),
      description: description.trim(),
      subject: subject.trim() || null,
      teacherIds,
      pairingId: pairingId || null,
    };
    try {
      const { activity } = editing ? await activitiesApi.update(editing.id, fields) : await activitiesApi.create(schoolId, fields);
      toast.info(t('wsa.saved'));
      onSaved(activity);
    } catch (err) {
      toast.error(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="wsa-form" onSubmit={(e) => void save(e)} data-testid="wsa-form">
      <div className="wsa-form-grid">
        {schools.length > 1 && !editing && (
          <label className="field">
            <span>{t('wsa.field.school')}</span>
            <Choice value={schoolId} onChange={setSchoolId} options={schools.map((s) => [s.id, s.name] as const)} data-testid="wsa-school" />
          </label>
        )}
        <label className="field">
          <span>{t('wsa.field.kind')}</span>
          <Choice
            value={kind}
            onChange={(v) => setKind(v as ActivityFields['kind'])}
            options={OFFLINE_ACTIVITY_KINDS.map((k) => [k, t(`wsa.kind.${k}`)] as const)}
            data-testid="wsa-kind"
          />
        </label>
        <label className="field">
          <span>{t('wsa.field.day')}</span>
          <input type="date" value={day} required onChange={(e) => setDay(e.target.value)} data-testid="wsa-day" />
        </label>
        <label className="field">
          <span>{t('wsa.field.place')}</span>
          <input value={place} required maxLength={200} onChange={(e) => setPlace(e.target.value)} data-testid="wsa-place" />
        </label>
        <label className="field">
          <span>{t('wsa.field.subject')}</span>
          <input value={subject} maxLength={50} onChange={(e) => setSubject(e.target.value)} data-testid="wsa-subject" />
        </label>
        {school && school.pairings.length > 0 && (
          <label className="field">
            <span>{t('wsa.field.pairing')}</span>
            <Choice value={pairingId} onChange={setPairingId} none={t('wsa.field.pairing.none')} options={school.pairings.map((p) => [p.id, p.label] as const)} data-testid="wsa-pairing" />
          </label>
        )}
      </div>
      <label className="field">
        <span>{t('wsa.field.people')}</span>
        <input value={people} onChange={(e) => setPeople(e.target.value)} data-testid="wsa-people" />
      </label>
      {staff.length > 0 && (
        <label className="field">
          <span>{t('wsa.field.teachers')}</span>
          <Choice multiple value={teacherIds} onChange={setTeacherIds} options={staff.map((p) => [p.id, `${p.displayName}（${p.schoolName}）`] as const)} data-testid="wsa-teachers" />
        </label>
      )}
      <label className="field">
        <span>{t('wsa.field.description')}</span>
        <textarea value={description} rows={3} maxLength={5000} onChange={(e) => setDescription(e.target.value)} data-testid="wsa-description" />
      </label>
      <div className="row-gap">
        <button type="submit" className="primary" disabled={busy || !schoolId} data-testid="wsa-save">
          {t('wsa.save')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('wsa.cancel')}
        </button>
      </div>
    </form>
  );
}
