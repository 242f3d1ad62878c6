// 批注: comments anchored to a passage by Yjs relative positions, so the anchor follows the
// text through everyone's edits; replies and resolve for the group revision.
import { useCallback, useEffect, useState } from 'react';
import type { Editor } from '@tiptap/react';
import * as Y from 'yjs';
import { absolutePositionToRelativePosition, relativePositionToAbsolutePosition, ySyncPluginKey } from '@tiptap/y-tiptap';
import type { PlanComment, PlanCommentAnchor } from '../../../server/contract/planEvents.js';
import { errorText } from '../api.js';
import { localeOf, useI18n } from '../i18n/index.js';
import { toast } from '../toast.js';
import type { PlanProvider } from './PlanProvider.js';
import { planApi } from './planApi.js';

const toB64 = (u: Uint8Array) => btoa(String.fromCharCode(...u));
const fromB64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

function mappingOf(editor: Editor) {
  return ySyncPluginKey.getState(editor.state)?.binding?.mapping;
}

function anchorOfSelection(editor: Editor, provider: PlanProvider): PlanCommentAnchor | null {
  const { from, to } = editor.state.selection;
  const mapping = mappingOf(editor);
  if (from === to || !mapping) return null;
  const type = provider.doc.getXmlFragment('default');
  const rel = (pos: number) => toB64(Y.encodeRelativePosition(absolutePositionToRelativePosition(pos, type, mapping)));
  return { start: rel(from), end: rel(to), quote: editor.state.doc.textBetween(from, to, ' ').slice(0, 500) };
}

function rangeOf(editor: Editor, provider: PlanProvider, a: PlanCommentAnchor): { from: number; to: number } | null {
  const mapping = mappingOf(editor);
  if (!mapping) return null;
  const type = provider.doc.getXmlFragment('default');
  try {
    const abs = (b64: string) => relativePositionToAbsolutePosition(provider.doc, type, Y.decodeRelativePosition(fromB64(b64)), mapping);
    const from = abs(a.start);
    const to = abs(a.end);
    return from !== null && to !== null && to > from ? { from, to } : null;
  } catch {
    return null;
  }
}

export function CommentsPanel({ planId, editor, provider, tick }: { planId: string; editor: Editor; provider: PlanProvider; tick: number }) {
  const { t, lang } = useI18n();
  const [comments, setComments] = useState<PlanComment[]>([]);
  const [text, setText] = useState('');
  const [hasSelection, setHasSelection] = useState(false);
  const [showResolved, setShowResolved] = useState(false);

  const load = useCallback(() => void planApi.comments(planId).then(setComments, (e) => toast.error(errorText(e))), [planId]);
  useEffect(load, [load, tick]);
  useEffect(() => {
    const f = () => setHasSelection(!editor.state.selection.empty);
    editor.on('selectionUpdate', f);
    return () => void editor.off('selectionUpdate', f);
  }, [editor]);

  const add = async () => {
    const anchor = anchorOfSelection(editor, provider);
    if (!anchor || !text.trim()) return;
    try {
      await planApi.comment(planId, { text: text.trim(), anchor });
      setText('');
      load();
    } catch (e) {
      toast.error(errorText(e));
    }
  };

  const roots = comments.filter((c) => !c.parentId && (showResolved || !c.resolvedAt));
  const replies = (id: string) => comments.filter((c) => c.parentId === id);
  const time = (iso: string) => new Date(iso).toLocaleString(localeOf(lang), { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' });

  return (
    <section className="panel plan-comments" data-testid="plan-comments">
      <div className="plan-comment-new">
        <textarea
          data-testid="comment-text"
          value={text}
          maxLength={2000}
          placeholder={hasSelection ? t('plan.comment.placeholder') : t('plan.comment.selectFirst')}
          onChange={(e) => setText(e.target.value)}
        />
        <button className="primary small" disabled={!hasSelection || !text.trim()} onClick={() => void add()} data-testid="comment-add">
          {t('plan.comment.add')}
        </button>
      </div>
      <label className="muted-text small-text">
        <input type="checkbox" checked={showResolved} onChange={(e) => setShowResolved(e.target.checked)} /> {t('plan.comment.showResolved')}
      </label>
      {roots.length === 0 && <div className="muted-text">{t('plan.comment.none')}</div>}
      {roots.map((c) => (
        <article key={c.id} className={`plan-comment${c.resolvedAt ? ' resolved' : ''}`} data-testid="comment">
          {c.anchor && (
            <button
              className="plan-quote"
              title={t('plan.comment.jump')}
              onClick={() => {
                const r = c.anchor && rangeOf(editor, provider, c.anchor);
                if (r) editor.chain().focus().setTextSelection(r).scrollIntoView().run();
                else toast.info(t('plan.comment.gone'));
              }}
            >
              “{c.anchor.quote}”
            </button>
          )}
          <CommentLine c={c} time={time} />
          {replies(c.id).map((r) => (
            <div key={r.id} className="plan-reply" data-testid="comment-reply">
              <CommentLine c={r} time={time} />
            </div>
          ))}
          <ReplyBox planId={planId} parent={c} onDone={load} />
        </article>
      ))}
    </section>
  );
}

function CommentLine({ c, time }: { c: PlanComment; time: (iso: string) => string }) {
  return (
    <div className="plan-comment-line">
      <b>{c.displayName}</b> <span className="muted-text small-text">{time(c.createdAt)}</span>
      <div className="plan-comment-text">{c.text}</div>
    </div>
  );
}

function ReplyBox({ planId, parent, onDone }: { planId: string; parent: PlanComment; onDone: () => void }) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const run = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      onDone();
    } catch (e) {
      toast.error(errorText(e));
    }
  };
  return (
    <div className="plan-reply-box">
      <input value={text} maxLength={2000} placeholder={t('plan.comment.reply')} onChange={(e) => setText(e.target.value)} data-testid="reply-text" />
      <button className="small" disabled={!text.trim()} onClick={() => void run(async () => { await planApi.comment(planId, { text: text.trim(), parentId: parent.id }); setText(''); })} data-testid="reply-send">
        {t('plan.comment.send')}
      </button>
      <button className="small" onClick={() => void run(() => planApi.resolve(planId, parent.id, !parent.resolvedAt))} data-testid="comment-resolve">
        {parent.resolvedAt ? t('plan.comment.reopen') : t('plan.comment.resolve')}
      </button>
    </div>
  );
}
