// 集体备课: the plan editor. TipTap on a Yjs document shared over /plans.io, carets with each
// editor's name and colour, and beside it versions (with diff), anchored comments and chat.
import { useEffect, useRef, useState } from 'react';
import { EditorContent, useEditor, type Editor } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import { TableKit } from '@tiptap/extension-table';
import Collaboration from '@tiptap/extension-collaboration';
import CollaborationCaret from '@tiptap/extension-collaboration-caret';
import type { PublicUser } from '../../../server/contract/domain.js';
import type { ChatMessage } from '../../../server/contract/domain.js';
import { planCursorColour, type PlanChatMessage, type PlanNotice, type PlanSummary } from '../../../server/contract/planEvents.js';
import { errorText } from '../api.js';
import { ChatPanel } from '../components/ChatPanel.js';
import { useI18n } from '../i18n/index.js';
import { Link } from '../router.js';
import { toast } from '../toast.js';
import { PlanProvider, type PlanStatus } from './PlanProvider.js';
import { planApi } from './planApi.js';
import { CommentsPanel } from './CommentsPanel.js';
import { VersionsPanel } from './VersionsPanel.js';
import './plans.css';

/** The palette is the contract's: the server rewrites any other colour. */
export const colourOf = planCursorColour;

type Tab = 'versions' | 'comments' | 'chat';

export function PlanEditorPage({ planId, user, compact }: { planId: string; user: PublicUser; compact?: boolean }) {
  const { t } = useI18n();
  // One provider per mounted page (the page is keyed by plan id).
  const [provider] = useState(() => new PlanProvider(planId));
  useEffect(() => () => provider.destroy(), [provider]);
  const tRef = useRef(t);
  tRef.current = t;
  const [status, setStatus] = useState<PlanStatus>(provider.status);
  const [plan, setPlan] = useState<PlanSummary | null>(null);
  const [access, setAccess] = useState<'edit' | 'comment' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tab, setTab] = useState<Tab>('comments');
  const [chat, setChat] = useState<PlanChatMessage[]>([]);
  const [commentsTick, setCommentsTick] = useState(0);
  const [versionsTick, setVersionsTick] = useState(0);
  const [notice, setNotice] = useState<PlanNotice | null>(provider.joined?.notice ?? null);

  useEffect(() => {
    const offs = [
      provider.on('status', setStatus),
      provider.on('joined', (j) => {
        setPlan(j.plan);
        setAccess(j.access);
        setChat(j.chat);
      }),
      provider.on('chat', (m) => setChat((c) => (c.some((x) => x.id === m.id) ? c : [...c, m]))),
      provider.on('changed', (what) => {
        if (what === 'comments') setCommentsTick((n) => n + 1);
        if (what === 'versions') setVersionsTick((n) => n + 1);
        if (what === 'phases') void planApi.get(planId).then((r) => setPlan(r.plan), () => undefined);
      }),
      provider.on('notice', setNotice),
      provider.on('refused', (m) => {
        if (/NOT_FOUND|FORBIDDEN/.test(m) && !provider.joined) setError(tRef.current('plan.notFound'));
        else toast.error(tRef.current('plan.refused', { message: m }));
      }),
    ];
    // Joined before we subscribed: take the state as it is.
    setStatus(provider.status);
    if (provider.joined) {
      setPlan(provider.joined.plan);
      setAccess(provider.joined.access);
      setChat(provider.joined.chat);
    }
    return () => offs.forEach((off) => off());
  }, [provider, planId]);

  const editor = useEditor(
    {
      extensions: [
        // Collaboration brings its own (Yjs) undo; StarterKit's would fight it.
        StarterKit.configure({ undoRedo: false }),
        TableKit.configure({ table: { resizable: false } }),
        Collaboration.configure({ document: provider.doc }),
        CollaborationCaret.configure({ provider, user: { name: user.displayName, color: colourOf(user.id) } }),
      ],
      editorProps: { attributes: { 'data-testid': 'plan-doc', class: 'plan-doc', spellcheck: 'false' } },
    },
    [provider],
  );

  useEffect(() => {
    editor?.setEditable(access === 'edit');
  }, [editor, access]);

  if (error) {
    return (
      <div className="page-message" data-testid="plan-error">
        {error} · <Link to="/">{t('nav.home')}</Link>
      </div>
    );
  }

  return (
    <div className={`plan-page${compact ? ' compact' : ''}`} data-testid="plan-page" data-status={status}>
      <header className="plan-head">
        <div className="plan-title">
          <h1 data-testid="plan-title">{plan?.title ?? t('app.loading')}</h1>
          <span className={`plan-status status-${status}`} data-testid="plan-status">
            {t(`plan.status.${status}`)}
          </span>
          {access === 'comment' && <span className="plan-badge">{t('plan.readOnly')}</span>}
        </div>
        <div className="row-gap">
          <PlanPeers provider={provider} />
          {access === 'edit' && <ImportButton planId={planId} />}
          <a className="button" href={`/api/plans/${encodeURIComponent(planId)}/export.docx`} download data-testid="plan-export-docx">
            {t('plan.exportDocx')}
          </a>
          <a className="button" href={`/api/plans/${encodeURIComponent(planId)}/export.pdf`} download data-testid="plan-export-pdf">
            {t('plan.exportPdf')}
          </a>
        </div>
      </header>
      {notice?.kind === 'skipped-updates' && (
        <div className="plan-notice" role="status" data-testid="plan-notice">
          {t('plan.notice.skipped', { n: notice.count })}
        </div>
      )}
      {plan && plan.phases.length > 0 && (
        <div className="plan-phases" data-testid="plan-phases">
          {plan.phases.map((p, i) => (
            <span key={i} className="plan-phase">
              {p.title}
              {p.minutes !== null && <b> {t('plan.minutes', { n: p.minutes })}</b>}
            </span>
          ))}
        </div>
      )}
      <div className="plan-layout">
        <main className="plan-main">
          {access === 'edit' && editor && <Toolbar editor={editor} />}
          <EditorContent editor={editor} className="plan-editor" data-testid="plan-editor" />
        </main>
        <aside className="plan-side">
          <div className="plan-tabs" role="tablist">
            {(['comments', 'versions', 'chat'] as Tab[]).map((k) => (
              <button key={k} role="tab" aria-selected={tab === k} className={tab === k ? 'active' : ''} data-testid={`plan-tab-${k}`} onClick={() => setTab(k)}>
                {t(`plan.tab.${k}`)}
              </button>
            ))}
          </div>
          {tab === 'comments' && editor && <CommentsPanel planId={planId} editor={editor} provider={provider} tick={commentsTick} />}
          {tab === 'versions' && <VersionsPanel planId={planId} canEdit={access === 'edit'} tick={versionsTick} />}
          {tab === 'chat' && (
            <ChatPanel
              chat={chat as unknown as ChatMessage[]}
              onSend={async (text) => {
                const r = await provider.chat(text).catch(() => null);
                if (!r?.ok) toast.error(r ? r.error.message : t('error.network'));
                else setChat((c) => (c.some((x) => x.id === r.data.id) ? c : [...c, r.data]));
                return !!r?.ok;
              }}
            />
          )}
        </aside>
      </div>
    </div>
  );
}

function Toolbar({ editor }: { editor: Editor }) {
  const { t } = useI18n();
  const [, force] = useState(0);
  useEffect(() => {
    const f = () => force((n) => n + 1);
    editor.on('transaction', f);
    return () => void editor.off('transaction', f);
  }, [editor]);
  const b = (label: string, active: boolean, run: () => void, testId: string) => (
    <button className={`small${active ? ' active' : ''}`} onMouseDown={(e) => e.preventDefault()} onClick={run} data-testid={testId}>
      {label}
    </button>
  );
  const chain = () => editor.chain().focus();
  return (
    <div className="plan-toolbar">
      {b('H2', editor.isActive('heading', { level: 2 }), () => chain().toggleHeading({ level: 2 }).run(), 'tb-h2')}
      {b('H3', editor.isActive('heading', { level: 3 }), () => chain().toggleHeading({ level: 3 }).run(), 'tb-h3')}
      {b(t('plan.tb.bold'), editor.isActive('bold'), () => chain().toggleBold().run(), 'tb-bold')}
      {b(t('plan.tb.bullets'), editor.isActive('bulletList'), () => chain().toggleBulletList().run(), 'tb-bullets')}
      {b(t('plan.tb.numbers'), editor.isActive('orderedList'), () => chain().toggleOrderedList().run(), 'tb-numbers')}
      {b(t('plan.tb.table'), false, () => chain().insertTable({ rows: 3, cols: 3, withHeaderRow: true }).run(), 'tb-table')}
      {editor.isActive('table') && b(t('plan.tb.addRow'), false, () => chain().addRowAfter().run(), 'tb-add-row')}
    </div>
  );
}

function PlanPeers({ provider }: { provider: PlanProvider }) {
  const [names, setNames] = useState<{ name: string; color: string }[]>([]);
  useEffect(() => {
    const update = () => {
      const out: { name: string; color: string }[] = [];
      provider.awareness.getStates().forEach((s, id) => {
        const u = (s as { user?: { name?: string; color?: string } }).user;
        if (id !== provider.doc.clientID && u?.name) out.push({ name: u.name, color: u.color ?? '#888' });
      });
      setNames(out);
    };
    provider.awareness.on('change', update);
    update();
    return () => provider.awareness.off('change', update);
  }, [provider]);
  return (
    <div className="plan-peers" data-testid="plan-peers">
      {names.map((n, i) => (
        <span key={i} className="plan-peer" style={{ background: n.color }} title={n.name}>
          {n.name}
        </span>
      ))}
    </div>
  );
}

function ImportButton({ planId }: { planId: string }) {
  const { t } = useI18n();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  return (
    <>
      <button disabled={busy} onClick={() => input.current?.click()} data-testid="plan-import">
        {busy ? t('app.loading') : t('plan.importDocx')}
      </button>
      <input
        ref={input}
        type="file"
        hidden
        accept=".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        data-testid="plan-import-file"
        onChange={async (e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (!file) return;
          if (!window.confirm(t('plan.importConfirm'))) return;
          setBusy(true);
          try {
            await planApi.importDocx(planId, file);
            toast.info(t('plan.imported'));
          } catch (err) {
            toast.error(errorText(err));
          } finally {
            setBusy(false);
          }
        }}
      />
    </>
  );
}
