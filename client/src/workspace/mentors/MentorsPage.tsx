// /workspace/mentors — 师徒结对: the pairs the user reaches, the community admin's create form
// (a city mentor and a rural mentee picked from the community's staff), and one pair's page.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { PublicUser } from '../../../../server/contract/domain.js';
import type { MentorCandidate, MentorPair } from '../../../../server/contract/workspace/mentors.js';
import { errorText } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link, navigate } from '../../router.js';
import { toast } from '../../toast.js';
import { mentorsApi, mentorsPath } from './mentorsApi.js';
import { MentorPairView } from './MentorPairView.js';
import './mentors.css';

export function MentorsPage({ user, pairId }: { user: PublicUser; pairId: string | null }) {
  const { t } = useI18n();
  const [pairs, setPairs] = useState<MentorPair[] | null>(null);
  const [manageCommunityId, setManage] = useState<string | null>(null);
  const reload = useCallback(() => {
    mentorsApi.pairs().then(
      (r) => {
        setPairs(r.pairs);
        setManage(r.manageCommunityId);
      },
      (e) => toast.error(errorText(e)),
    );
  }, []);
  useEffect(reload, [reload]);

  return (
    <div className="mt-page" data-testid="mentors-page">
      <h2>{t('mentors.title')}</h2>
      <div className="mt-layout">
        <section>
          <h3>{t('mentors.list')}</h3>
          {pairs && pairs.length === 0 && (
            <div className="mt-empty" data-testid="mentors-empty">
              {t('mentors.empty')} {manageCommunityId ? t('mentors.empty.admin') : t('mentors.empty.other')}
            </div>
          )}
          <ul className="mt-pairs">
            {(pairs ?? []).map((p) => (
              <li key={p.id} className={p.id === pairId ? 'active' : undefined} data-testid="mentor-pair">
                <Link to={mentorsPath(p.id)}>
                  {p.mentor.displayName} → {p.mentee.displayName}
                </Link>
                <div className="muted">
                  {p.subject} · {p.startsOn} ~ {p.endedOn ?? p.endsOn}
                </div>
              </li>
            ))}
          </ul>
          {manageCommunityId && (
            <NewPair
              communityId={manageCommunityId}
              onCreated={(p) => {
                reload();
                navigate(mentorsPath(p.id));
              }}
            />
          )}
        </section>
        <section>
          {pairId ? (
            <MentorPairView key={pairId} pairId={pairId} user={user} onChanged={reload} />
          ) : (
            pairs && pairs.length > 0 && <div className="mt-empty">{t('mentors.pick')}</div>
          )}
        </section>
      </div>
    </div>
  );
}

function NewPair({ communityId, onCreated }: { communityId: string; onCreated(p: MentorPair): void }) {
  const { t } = useI18n();
  const [candidates, setCandidates] = useState<MentorCandidate[]>([]);
  const [mentorId, setMentor] = useState('');
  const [menteeId, setMentee] = useState('');
  const [subject, setSubject] = useState('');
  const [startsOn, setStarts] = useState('');
  const [endsOn, setEnds] = useState('');
  const [goals, setGoals] = useState('');
  useEffect(() => {
    mentorsApi.candidates(communityId).then((r) => setCandidates(r.candidates), (e) => toast.error(errorText(e)));
  }, [communityId]);
  const city = candidates.filter((c) => c.schoolKind === 'city');
  const rural = candidates.filter((c) => c.schoolKind === 'rural');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const { pair } = await mentorsApi.create(communityId, { mentorId, menteeId, subject, startsOn, endsOn, goals });
      toast.info(t('mentors.created'));
      setMentor('');
      setMentee('');
      setGoals('');
      onCreated(pair);
    } catch (err) {
      toast.error(errorText(err));
    }
  };
  const option = (c: MentorCandidate) => (
    <option key={c.id} value={c.id}>
      {c.displayName} · {c.schoolName}
    </option>
  );
  return (
    <form className="mt-form" onSubmit={submit} data-testid="mentor-new">
      <h4>{t('mentors.new')}</h4>
      <label>
        {t('mentors.mentor')}
        <select value={mentorId} required onChange={(e) => setMentor(e.target.value)} data-testid="mentor-pick-mentor">
          <option value="">{t('mentors.choose')}</option>
          {city.map(option)}
        </select>
        {candidates.length > 0 && city.length === 0 && <span className="muted">{t('mentors.noCity')}</span>}
      </label>
      <label>
        {t('mentors.mentee')}
        <select value={menteeId} required onChange={(e) => setMentee(e.target.value)} data-testid="mentor-pick-mentee">
          <option value="">{t('mentors.choose')}</option>
          {rural.map(option)}
        </select>
        {candidates.length > 0 && rural.length === 0 && <span className="muted">{t('mentors.noRural')}</span>}
      </label>
      <label>
        {t('mentors.subject')}
        <input value={subject} maxLength={50} onChange={(e) => setSubject(e.target.value)} />
      </label>
      <div className="mt-dates">
        <label>
          {t('mentors.startsOn')}
          <input type="date" value={startsOn} required onChange={(e) => setStarts(e.target.value)} />
        </label>
        <label>
          {t('mentors.endsOn')}
          <input type="date" value={endsOn} min={startsOn || undefined} required onChange={(e) => setEnds(e.target.value)} />
        </label>
      </div>
      <label>
        {t('mentors.goals')}
        <textarea value={goals} maxLength={4000} rows={3} onChange={(e) => setGoals(e.target.value)} />
      </label>
      <button type="submit">{t('mentors.create')}</button>
    </form>
  );
}
