// App shell: auth gate, routes, header with language toggle.
import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import type { PublicUser } from '../../server/contract/domain.js';
import { setUnauthenticatedHandler } from './api.js';
import { useI18n } from './i18n/index.js';
import { AdminPage } from './pages/AdminPage.js';
import { HomePage } from './pages/HomePage.js';
import { LoginPage } from './pages/LoginPage.js';
import { ObservePage } from './pages/ObservePage.js';
import { ProjectorPage } from './pages/ProjectorPage.js';
import { TeachPage } from './pages/TeachPage.js';
// The plan editor (TipTap, Yjs) is a large chunk: loaded only when a plan is opened.
const PlanEditorPage = lazy(() => import('./plans/PlanEditorPage.js').then((m) => ({ default: m.PlanEditorPage })));
// Pages a projector never opens load on first visit, so its bundle stays small (hls.js alone
// is larger than the rest of the app).
const PairingWeekPage = lazy(() => import('./timetable/PairingWeekPage.js').then((m) => ({ default: m.PairingWeekPage })));
const TimetablePage = lazy(() => import('./timetable/TimetablePage.js').then((m) => ({ default: m.TimetablePage })));
const RecordingsPage = lazy(() => import('./replay/RecordingsPage.js').then((m) => ({ default: m.RecordingsPage })));
// The replay page comes with the 评课 panel it hosts (registered by replayPanel's import).
const ReplayPage = lazy(() =>
  Promise.all([import('./replay/ReplayPage.js'), import('./research/replayPanel.js')]).then(([m]) => ({ default: m.ReplayPage })),
);
// The research pages carry ECharts: loaded on first visit, never by a projector.
const ResearchHome = lazy(() => import('./research/ResearchHome.js').then((m) => ({ default: m.ResearchHome })));
const LessonResearchPage = lazy(() => import('./research/LessonResearchPage.js').then((m) => ({ default: m.LessonResearchPage })));
// 师徒结对 (its growth chart loads ECharts on its own, lazily).
const MentorsPage = lazy(() => import('./workspace/mentors/MentorsPage.js').then((m) => ({ default: m.MentorsPage })));
const ReportsPage = lazy(() => import('./workspace/report/ReportsPage.js').then((m) => ({ default: m.ReportsPage })));
const ComparePage = lazy(() => import('./research/ComparePage.js').then((m) => ({ default: m.ComparePage })));
const ActivitiesPage = lazy(() => import('./workspace/activities/ActivitiesPage.js').then((m) => ({ default: m.ActivitiesPage })));
const ReviewPage = lazy(() => import('./workspace/activities/ReviewPage.js').then((m) => ({ default: m.ReviewPage })));
import { WorkspaceNavLinks } from './workspace/activities/Notices.js';
// The 教共体 workspace dashboards carry ECharts too.
const StructurePage = lazy(() => import('./workspace/StructurePage.js').then((m) => ({ default: m.StructurePage })));
const WorkspaceHome = lazy(() => import('./workspace/WorkspaceHome.js').then((m) => ({ default: m.WorkspaceHome })));
const PairingDashboard = lazy(() => import('./workspace/PairingDashboard.js').then((m) => ({ default: m.PairingDashboard })));
const CommunityDashboard = lazy(() => import('./workspace/CommunityDashboard.js').then((m) => ({ default: m.CommunityDashboard })));
import { Link, navigate, usePath } from './router.js';
import { matchRoute, type Route } from './routes.js';
import { loadMe, logout, markSignedOut, useAuth } from './session.js';
import { Toasts } from './toast.js';

export function App() {
  const path = usePath();
  const route = matchRoute(path, window.location.search);
  const auth = useAuth();
  const { t } = useI18n();

  useEffect(() => {
    setUnauthenticatedHandler(() => {
      markSignedOut();
      navigate('/login', { replace: true });
    });
    void loadMe();
    return () => setUnauthenticatedHandler(null);
  }, []);

  // The server may be down when a classroom PC boots: keep asking.
  useEffect(() => {
    if (auth.status !== 'error') return;
    const timer = setTimeout(() => void loadMe(), 5000);
    return () => clearTimeout(timer);
  }, [auth]);

  useEffect(() => {
    if (auth.status === 'out' && route.name !== 'login') navigate('/login', { replace: true });
    if (auth.status === 'in' && route.name === 'login') navigate('/', { replace: true });
  }, [auth.status, route.name]);

  let page: ReactNode;
  if (route.name === 'login') {
    page = auth.status === 'in' ? null : <LoginPage />;
  } else if (auth.status !== 'in') {
    page = (
      <div className="center-screen" data-testid="app-loading">
        <div className="spinner" aria-hidden />
        <div className="center-sub">{auth.status === 'error' ? t('idle.offline') : t('app.loading')}</div>
      </div>
    );
  } else {
    const user = auth.user;
    const { content, shell } = routePage(route, user, t('nav.home'));
    // Lazy pages (plans, timetable, replay, research) show the loading line while their chunk loads.
    page = shell ? (
      <Shell user={user}>
        <Suspense fallback={<div className="muted-text">{t('app.loading')}</div>}>{content}</Suspense>
      </Shell>
    ) : (
      content
    );
  }

  return (
    <>
      {route.name === 'login' && <LangCorner />}
      {page}
      <Toasts />
    </>
  );
}

/** What a signed-in route shows, and whether inside the app shell: the live pages and a projector's home fill the screen. */
function routePage(route: Route, user: PublicUser, homeLabel: string): { content: ReactNode; shell: boolean } {
  const inShell = (content: ReactNode) => ({ content, shell: true });
  switch (route.name) {
    case 'home':
      return { content: <HomePage user={user} />, shell: user.role !== 'classroom' };
    case 'admin':
      return inShell(<AdminPage user={user} />);
    case 'timetable':
      return inShell(<TimetablePage user={user} />);
    case 'pairingWeek':
      return inShell(<PairingWeekPage key={route.pairingId} user={user} pairingId={route.pairingId} />);
    case 'plan':
      return inShell(<PlanEditorPage key={route.planId} planId={route.planId} user={user} />);
    case 'recordings':
      return inShell(<RecordingsPage />);
    case 'replay':
      return inShell(<ReplayPage key={route.lessonId} lessonId={route.lessonId} />);
    case 'research':
      return inShell(<ResearchHome user={user} />);
    case 'researchLesson':
      return inShell(<LessonResearchPage key={route.lessonId} lessonId={route.lessonId} user={user} />);
    case 'researchCompare':
      return inShell(<ComparePage key={`${route.a}/${route.b}`} a={route.a} b={route.b} />);
    case 'workspaceActivities':
      return inShell(<ActivitiesPage user={user} />);
    case 'workspaceReview':
      return inShell(<ReviewPage user={user} />);
    case 'mentors':
      return inShell(<MentorsPage user={user} pairId={route.pairId} />);
    case 'workspaceReports':
      return inShell(<ReportsPage user={user} />);
    case 'workspaceStructure':
      return inShell(<StructurePage user={user} />);
    case 'workspace':
      return inShell(<WorkspaceHome user={user} />);
    case 'workspacePairing':
      return inShell(<PairingDashboard key={route.pairingId} pairingId={route.pairingId} user={user} />);
    case 'workspaceCommunity':
      return inShell(<CommunityDashboard key={route.communityId} communityId={route.communityId} user={user} />);
    case 'teach':
      return { content: <TeachPage key={route.lessonId} lessonId={route.lessonId} />, shell: false };
    case 'projector':
      return { content: <ProjectorPage key={route.lessonId} lessonId={route.lessonId} />, shell: false };
    case 'observe':
      return { content: <ObservePage key={route.lessonId} lessonId={route.lessonId} />, shell: false };
    default:
      return inShell(
        <div className="page-message">
          404 · <Link to="/">{homeLabel}</Link>
        </div>,
      );
  }
}

function LangCorner() {
  const { t, toggle } = useI18n();
  return (
    <button className="lang-corner" data-testid="lang-toggle" onClick={toggle}>
      {t('lang.toggle')}
    </button>
  );
}

function Shell({ user, children }: { user: PublicUser; children: ReactNode }) {
  const { t, toggle } = useI18n();
  const isAdmin = user.role === 'school_admin' || user.role === 'community_admin';
  // A projector has no menu; a bureau reviewer belongs to no community's timetable, recordings or 教研.
  const member = user.role !== 'classroom' && user.role !== 'bureau_reviewer';
  return (
    <div className="shell">
      <header className="app-header">
        <Link to="/" className="brand">
          <span className="brand-mark">同</span> {t('app.name')}
        </Link>
        <nav className="app-nav">
          <Link to="/">{t('nav.home')}</Link>
          {member && (
            <Link to="/timetable" data-testid="nav-timetable">
              {t('nav.timetable')}
            </Link>
          )}
          {member && (
            <Link to="/recordings" data-testid="nav-recordings">
              {t('nav.recordings')}
            </Link>
          )}
          {member && (
            <Link to="/research" data-testid="nav-research">
              {t('research.nav')}
            </Link>
          )}
          {user.role !== 'classroom' && (
            <Link to="/workspace" data-testid="nav-workspace">
              {t('ws.nav')}
            </Link>
          )}
          <WorkspaceNavLinks user={user} />
          {user.role !== 'classroom' && (
            <Link to="/workspace/mentors" data-testid="nav-mentors">
              {t('mentors.nav')}
            </Link>
          )}
          {user.role !== 'classroom' && (
            <Link to="/workspace/reports" data-testid="nav-reports">
              {t('reports.nav')}
            </Link>
          )}
          {isAdmin && (
            <Link to="/admin" data-testid="nav-admin">
              {t('nav.admin')}
            </Link>
          )}
        </nav>
        <div className="app-user">
          <span data-testid="current-user">
            {user.displayName} · {t(`role.${user.role}`)}
          </span>
          <button className="link" data-testid="lang-toggle" onClick={toggle}>
            {t('lang.toggle')}
          </button>
          <button className="link" data-testid="logout" onClick={() => void logout().then(() => navigate('/login', { replace: true }))}>
            {t('nav.logout')}
          </button>
        </div>
      </header>
      <div className="shell-body">
        <Suspense fallback={<div className="muted-text">{t('app.loading')}</div>}>{children}</Suspense>
      </div>
    </div>
  );
}
