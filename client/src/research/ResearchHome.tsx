// /research — 教研组 (members across schools), their 网络研修 sessions with agenda, minutes and
// conclusions, the pairings' yearly targets with progress, and lessons to review or compare.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { Lesson, PublicUser } from '../../../server/contract/domain.js';
import type { Annotation, ResearchGroup, ResearchSession, TargetProgress } from '../../../server/contract/research.js';
import { errorText } from '../api.js';
import { Choice } from '../components/Choice.js';
import { localeOf, useI18n } from '../i18n/index.js';
import { Link, navigate } from '../router.js';
import { toast } from '../toast.js';
import { researchApi, type Person } from './researchApi.js';
import { RubricEditor } from './RubricEditor.js';
import './research.css';

const SESSION_KINDS = ['planning', 'diagnosis', 'thematic'] as const;

export const researchLessonPath = (id: string) => `/research/lessons/${encodeURIComponent(id)}`;
export const comparePath = (a: string, b: string) => `/research/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`;

export function ResearchHome({ user }: { user: PublicUser }) {
  const { t, lang } = useI18n();
  const [groups, setGroups] = useState<ResearchGroup[]>([]);
  const [people, setPeople] = useState<Person[]>([]);
  const [lessons, setLessons] = useState<Lesson[]>([]);
  const [targets, setTargets] = useState<TargetProgress[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  const [mentions, setMentions] = useState<Annotation[]>([]);
  const reload = useCallback(() => {
    researchApi.groups().then((g) => setGroups(g.groups), (e) => toast.error(errorText(e)));
  }, []);
  useEffect(() => {
    reload();
    // The directory is for group creators; a projector device is refused it (research/people.ts).
    if (user.role !== 'classroom') researchApi.people().then((p) => setPeople(p.people), () => undefined);
    researchApi.lessons().then((l) => setLessons(l.lessons), () => undefined);
    researchApi.targets(new Date().getFullYear()).then((x) => setTargets(x.targets), () => undefined);
    researchApi.mentions().then((m) => setMentions(m.annotations), () => undefined);
  }, [reload, user.role]);
  return (
    <div className="rs-page" data-testid="research-home">
      <h2>{t('research.title')}</h2>
      <div className="rs-home">
        <section>
          <h3>{t('research.groups')}</h3>
          {groups.length === 0 && <div className="muted">{t('research.group.empty')}</div>}
          <ul className="rs-groups">
            {groups.map((g) => (
              <li key={g.id} data-testid="research-group">
                <button type="button" className="link" onClick={() => setOpen(open === g.id ? null : g.id)}>
                  {g.name}
                </button>{' '}
                <span className="muted">
                  {g.subject} · {g.members.map((m) => `${m.displayName}${m.schoolName ? `(${m.schoolName})` : ''}`).join('、')}
                </span>
                {open === g.id && <GroupSessions group={g} lessons={lessons} />}
              </li>
            ))}
          </ul>
          {user.role !== 'classroom' && <NewGroup people={people.filter((p) => p.id !== user.id)} onCreated={reload} />}
          {user.role === 'community_admin' && <RubricEditor />}
        </section>
        <section>
          {mentions.length > 0 && (
            <>
              <h3>{t('research.mentions')}</h3>
              <ul className="rs-mention-list" data-testid="research-mentions">
                {mentions.map((m) => (
                  <li key={m.id} className="rs-mentioned">
                    <Link to={researchLessonPath(m.lessonId)} onClick={() => void researchApi.markRead([m.id])}>
                      {m.authorName}：{m.text}
                    </Link>
                  </li>
                ))}
              </ul>
            </>
          )}
          <h3>{t('research.targets')}</h3>
          <ul className="rs-targets" data-testid="research-targets">
            {targets.map((x) => (
              <li key={x.pairingId}>
                <div>
                  {x.citySchoolName} ⇄ {x.ruralSchoolName}
                </div>
                <Progress value={x.lessons} max={x.minLessons} label={t('research.targets.lessons', { n: x.lessons, min: x.minLessons })} />
                <Progress value={x.sessions} max={x.minSessions} label={t('research.targets.sessions', { n: x.sessions, min: x.minSessions })} />
              </li>
            ))}
          </ul>
          <h3>{t('research.lessons')}</h3>
          <ul className="rs-lessons">
            {lessons
              .filter((l) => l.state !== 'scheduled')
              .map((l) => (
                <li key={l.id}>
                  <Link to={researchLessonPath(l.id)} data-testid="research-lesson-link">
                    {l.title}
                  </Link>{' '}
                  <span className="muted">
                    {l.teacherName} · {new Date(l.startedAt ?? l.scheduledAt).toLocaleDateString(localeOf(lang))}
                  </span>
                </li>
              ))}
          </ul>
          <ComparePicker lessons={lessons.filter((l) => l.state !== 'scheduled')} />
        </section>
      </div>
    </div>
  );
}

function Progress({ value, max, label }: { value: number; max: number; label: string }) {
  return (
    <div className="rs-progress">
      <div className="rs-progress-bar" style={{ width: `${Math.min(100, (100 * value) / Math.max(1, max))}%` }} />
      <span>{label}</span>
    </div>
  );
}

function NewGroup({ people, onCreated }: { people: Person[]; onCreated(): void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [subject, setSubject] = useState('');
  const [members, setMembers] = useState<string[]>([]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await researchApi.createGroup({ name, subject, memberIds: members });
      setName('');
      setMembers([]);
      onCreated();
    } catch (err) {
      toast.error(errorText(err));
    }
  };
  return (
    <form className="rs-form" onSubmit={submit} data-testid="new-group">
      <h4>{t('research.group.new')}</h4>
      <input value={name} placeholder={t('research.group.name')} required maxLength={100} onChange={(e) => setName(e.target.value)} />
      <input value={subject} placeholder={t('research.group.subject')} maxLength={50} onChange={(e) => setSubject(e.target.value)} />
      <label>{t('research.group.members')}</label>
      <Choice multiple value={members} options={people.map((p) => [p.id, `${p.displayName} ${p.schoolName ? `· ${p.schoolName}` : ''}`])} onChange={setMembers} />
      <button className="primary" type="submit" disabled={!name.trim()}>
        {t('research.group.create')}
      </button>
    </form>
  );
}

function GroupSessions({ group, lessons }: { group: ResearchGroup; lessons: Lesson[] }) {
  const { t } = useI18n();
  const [sessions, setSessions] = useState<ResearchSession[]>([]);
  const [kind, setKind] = useState('diagnosis');
  const [title, setTitle] = useState('');
  const [lessonId, setLessonId] = useState('');
  const [when, setWhen] = useState(() => new Date().toISOString().slice(0, 16));
  const [agenda, setAgenda] = useState('');
  const load = useCallback(() => researchApi.group(group.id).then((r) => setSessions(r.sessions), (e) => toast.error(errorText(e))), [group.id]);
  useEffect(() => void load(), [load]);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await researchApi.createSession({ groupId: group.id, kind, title, lessonId: lessonId || null, scheduledAt: new Date(when).toISOString(), agenda });
      setTitle('');
      setAgenda('');
      await load();
    } catch (err) {
      toast.error(errorText(err));
    }
  };
  return (
    <div className="rs-sessions">
      {sessions.map((s) => (
        <SessionEditor key={s.id} s={s} />
      ))}
      <form className="rs-form" onSubmit={create}>
        <h4>{t('research.session.new')}</h4>
        <Choice value={kind} options={SESSION_KINDS.map((k) => [k, t(`research.session.kind.${k}`)])} onChange={setKind} />
        <input value={title} required maxLength={200} placeholder={t('research.session.title')} onChange={(e) => setTitle(e.target.value)} />
        <label>
          {t('research.session.lesson')}
          <Choice value={lessonId} none={t('research.session.none')} options={lessons.map((l) => [l.id, l.title])} onChange={setLessonId} />
        </label>
        <label>
          {t('research.session.when')} <input type="datetime-local" value={when} onChange={(e) => setWhen(e.target.value)} />
        </label>
        <textarea value={agenda} placeholder={t('research.session.agenda')} onChange={(e) => setAgenda(e.target.value)} />
        <button className="primary" type="submit" disabled={!title.trim()}>
          {t('research.session.create')}
        </button>
      </form>
    </div>
  );
}

function SessionEditor({ s }: { s: ResearchSession }) {
  const { t } = useI18n();
  const [agenda, setAgenda] = useState(s.agenda);
  const [minutes, setMinutes] = useState(s.minutes);
  const [conclusions, setConclusions] = useState(s.conclusions);
  const save = async () => {
    try {
      await researchApi.updateSession(s.id, { agenda, minutes, conclusions });
      toast.info(t('research.sc.saved'));
    } catch (err) {
      toast.error(errorText(err));
    }
  };
  return (
    <div className="rs-session" data-testid="research-session">
      <div>
        <strong>{t(`research.session.kind.${s.kind}`)}</strong> · {s.title} · {new Date(s.scheduledAt).toLocaleString()}{' '}
        {s.lessonId && (
          <button type="button" className="link" onClick={() => navigate(researchLessonPath(s.lessonId!))}>
            {s.lessonTitle}
          </button>
        )}
      </div>
      <textarea value={agenda} placeholder={t('research.session.agenda')} onChange={(e) => setAgenda(e.target.value)} />
      <textarea value={minutes} placeholder={t('research.session.minutes')} onChange={(e) => setMinutes(e.target.value)} />
      <textarea value={conclusions} placeholder={t('research.session.conclusions')} onChange={(e) => setConclusions(e.target.value)} />
      <button type="button" onClick={() => void save()}>
        {t('research.session.save')}
      </button>
    </div>
  );
}

function ComparePicker({ lessons }: { lessons: Lesson[] }) {
  const { t } = useI18n();
  const [a, setA] = useState('');
  const [b, setB] = useState('');
  const options = lessons.map((l) => [l.id, `${l.title} · ${l.teacherName}`] as const);
  return (
    <div className="rs-form" data-testid="compare-picker">
      <h4>{t('research.compare')}</h4>
      <Choice value={a} aria-label={t('research.compare.a')} none={t('research.compare.a')} options={options} onChange={setA} />
      <Choice value={b} aria-label={t('research.compare.b')} none={t('research.compare.b')} options={options} onChange={setB} />
      <button type="button" disabled={!a || !b || a === b} onClick={() => navigate(comparePath(a, b))}>
        {t('research.compare.go')}
      </button>
    </div>
  );
}
