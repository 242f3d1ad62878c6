// 登录: username/password, or a classroom device code (large input, for the projector PC).
import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/index.js';
import { errorText } from '../api.js';
import { navigate } from '../router.js';
import { deviceLogin, login } from '../session.js';
import { toast } from '../toast.js';
import { DEVICE_CODE_RE, formatDeviceCode } from '../lessons.js';


export function LoginPage() {
  const { t } = useI18n();
  const [tab, setTab] = useState<'password' | 'device'>(() => (new URLSearchParams(window.location.search).get('device') ? 'device' : 'password'));
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      navigate('/', { replace: true });
    } catch (e) {
      const msg = errorText(e);
      setError(msg);
      toast.error(msg);
    } finally {
      setBusy(false);
    }
  };

  const submitPassword = (e: FormEvent) => {
    e.preventDefault();
    if (!username.trim() || !password) return;
    void run(() => login(username.trim(), password));
  };

  const submitDevice = (e: FormEvent) => {
    e.preventDefault();
    if (!DEVICE_CODE_RE.test(code)) {
      setError(t('login.device.invalid'));
      return;
    }
    void run(() => deviceLogin(code));
  };

  return (
    <div className="login-page">
      <div className="login-card">
        <h1 className="login-title">{t('login.title')}</h1>
        <div className="tabs" role="tablist">
          <button role="tab" aria-selected={tab === 'password'} className={tab === 'password' ? 'active' : ''} data-testid="login-tab-password" onClick={() => setTab('password')}>
            {t('login.tab.password')}
          </button>
          <button role="tab" aria-selected={tab === 'device'} className={tab === 'device' ? 'active' : ''} data-testid="login-tab-device" onClick={() => setTab('device')}>
            {t('login.tab.device')}
          </button>
        </div>
        {tab === 'password' ? (
          <form onSubmit={submitPassword} className="login-form">
            <label className="field">
              <span>{t('login.username')}</span>
              <input data-testid="login-username" autoComplete="username" autoFocus value={username} onChange={(e) => setUsername(e.target.value)} />
            </label>
            <label className="field">
              <span>{t('login.password')}</span>
              <input data-testid="login-password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
            </label>
            <button type="submit" className="primary wide" data-testid="login-submit" disabled={busy}>
              {t('login.submit')}
            </button>
          </form>
        ) : (
          <form onSubmit={submitDevice} className="login-form">
            <p className="muted-text">{t('login.device.hint')}</p>
            <label className="field">
              <span>{t('login.device.code')}</span>
              <input
                className="device-code-input"
                data-testid="device-code"
                autoFocus
                autoCapitalize="characters"
                autoComplete="off"
                spellCheck={false}
                placeholder="ABCD-2345"
                value={code}
                onChange={(e) => setCode(formatDeviceCode(e.target.value))}
              />
            </label>
            <button type="submit" className="primary wide huge" data-testid="device-submit" disabled={busy}>
              {t('login.device.submit')}
            </button>
          </form>
        )}
        {error && (
          <div className="form-error" data-testid="login-error" role="alert">
            {error}
          </div>
        )}
      </div>
    </div>
  );
}
