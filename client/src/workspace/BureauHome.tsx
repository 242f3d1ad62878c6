// A bureau reviewer's home: the communities their bureau oversees, with their pairings, rounds
// and leaders, and the way into the workspace and the 核验 queue. A reviewer belongs to no
// community, so the lesson list other roles start from would be empty for them.
import { useEffect, useState } from 'react';
import type { OrgResponse } from '../../../server/contract/workspace/org.js';
import { api, errorText } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { Link } from '../router.js';

export function BureauHome() {
  const { t } = useI18n();
  const [org, setOrg] = useState<OrgResponse | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api<OrgResponse>('GET', '/api/workspace/org').then(setOrg, (e: unknown) => setError(errorText(e)));
  }, []);

  if (error) return <div className="page-message">{error}</div>;
  if (!org) return <div className="muted-text">{t('app.loading')}</div>;
  return (
    // Also the home page every signed-in role lands on (data-testid="home-page").
    <div className="home-page" data-testid="home-page">
      <div data-testid="bureau-home">
      <div className="home-head">
        <h1>
          {t('org.bureau.title')} · {org.bureau?.name}
        </h1>
        <div className="row-gap">
          <Link to="/workspace" className="button primary" data-testid="open-workspace">
            {t('org.open.workspace')}
          </Link>
          <Link to="/workspace/review" className="button" data-testid="open-review">
            {t('org.open.review')}
          </Link>
          <Link to="/workspace/structure" className="button" data-testid="open-structure">
            {t('org.structure.link')}
          </Link>
        </div>
      </div>
      <p className="muted-text">{t('org.bureau.hint')}</p>
      <h2>{t('org.bureau.communities')}</h2>
      {org.communities.length === 0 && <div className="empty-state">{t('org.bureau.empty')}</div>}
      {org.communities.map((c) => (
        <section key={c.id} className="card" data-testid="bureau-community">
          <h3>
            {c.name} · {t(`org.community.kind.${c.kind}`)} · {t(`org.community.scope.${c.scope}`)}
          </h3>
          <table className="table">
            <thead>
              <tr>
                <th>{t('org.pairings')}</th>
                <th>{t('org.pairing.rounds')}</th>
                <th>{t('org.pairing.leaders')}</th>
              </tr>
            </thead>
            <tbody>
              {c.pairings.map((p) => {
                const round = p.rounds.at(-1);
                return (
                  <tr key={p.id}>
                    <td>
                      {p.citySchool.name} → {p.ruralSchool.name}
                    </td>
                    <td>{round ? t('org.pairing.round', { round: String(round.round), from: round.startsOn, to: round.endsOn }) : t('org.pairing.noRound')}</td>
                    <td>{p.leaders.map((l) => `${l.displayName}（${l.duty}）`).join('；')}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      ))}
      </div>
    </div>
  );
}
