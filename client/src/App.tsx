// App shell: auth gate, routes, header with language toggle.
import { useEffect, type ReactNode } from 'react';
import type { PublicUser } from '../../server/contract/domain.js';
import { setUnauthenticatedHandler } from './api.js';
import { useI18n } from './i18n/index.js';
import { AdminPage } from './pages/AdminPage.js';
import { HomePage } from './pages/HomePage.js';
import { LoginPage } from './pages/LoginPage.js';
import { ObservePage } from './pages/ObservePage.js';
import { ProjectorPage } from './pages/ProjectorPage.js';
import { TeachPage } from './pages/TeachPage.js';
import { Link, matchRoute, navigate, usePath } from './router.js';
import { loadMe, logout, markSignedOut, useAuth } from './session.js';
import { Toasts } from './toast.js';

export function App() {
  const path = usePath();
  const route = matchRoute(path);
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
    switch (route.name) {
      case 'home':
        page = user.role === 'classroom' ? <HomePage user={user} /> : <Shell user={user}><HomePage user={user} /></Shell>;
        break;
      case 'admin':
        page = (
          <Shell user={user}>
            <AdminPage user={user} />
          </Shell>
        );
        break;
      case 'teach':
        page = <TeachPage key={route.lessonId} lessonId={route.lessonId} />;
        break;
      case 'projector':
        page = <ProjectorPage key={route.lessonId} lessonId={route.lessonId} />;
        break;
      case 'observe':
        page = <ObservePage key={route.lessonId} lessonId={route.lessonId} />;
        break;
      default:
        page = (
          <Shell user={user}>
            <div className="page-message">
              404 · <Link to="/">{t('nav.home')}</Link>
            </div>
          </Shell>
        );
    }
  }

  return (
    <>
      {route.name === 'login' && <LangCorner />}
      {page}
      <Toasts />
    </>
  );
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
  return (
    <div className="shell">
      <header className="app-header">
        <Link to="/" className="brand">
          <span className="brand-mark">同</span> {t('app.name')}
        </Link>
        <nav className="app-nav">
          <Link to="/">{t('nav.home')}</Link>
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
      <div className="shell-body">{children}</div>
    </div>
  );
}
