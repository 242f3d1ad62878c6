// /workspace — where each role starts: a bureau reviewer on the bureau's dashboard, a community's
// admin or researcher on the community's, a school's staff on the list of their pairings.
import { useEffect, useState } from 'react';
import type { PublicUser } from '../../../server/contract/domain.js';
import type { OrgResponse } from '../../../server/contract/workspace/org.js';
import { errorText } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { Link } from '../router.js';
import { BureauDashboard } from './BureauDashboard.js';
import { CommunityDashboard } from './CommunityDashboard.js';
import { pairingPath, workspaceApi } from './workspaceApi.js';
import './workspace.css';

export function WorkspaceHome({ user }: { user: PublicUser }) {
  const { t } = useI18n();
  const [org, setOrg] = useState<OrgResponse | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    workspaceApi.org().then(setOrg, (e) => setError(errorText(e)));
  }, []);
  if (error) return <div className="page-message">{error}</div>;
  if (!org) return <div className="muted-text">{t('ws.loading')}</div>;
  if (org.bureau) return <BureauDashboard bureauId={org.bureau.id} />;
  const community = org.communities[0];
  if (!community) return <div className="page-message">{t('ws.noCommunity')}</div>;
  if (user.role === 'community_admin' || user.role === 'researcher') {
    return (
      <>
        <Link to="/workspace/structure" className="ws-structure-link" data-testid="ws-structure-link">
          {t('org.structure.link')}
        </Link>
        <CommunityDashboard communityId={community.id} user={user} />
      </>
    );
  }
  return (
    <div className="ws-page" data-testid="ws-home">
      <h2>{t('ws.title')}</h2>
      <section className="panel">
        <h3 className="panel-title">{t('ws.pairings')}</h3>
        {community.pairings.length === 0 ? (
          <div className="muted">{t('ws.noPairings')}</div>
        ) : (
          <ul className="ws-pairing-list">
            {community.pairings.map((p) => (
              <li key={p.id}>
                <Link to={pairingPath(p.id)}>{t('ws.pairing', { city: p.citySchool.name, rural: p.ruralSchool.name })}</Link>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
