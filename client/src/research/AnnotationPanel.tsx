// 评课 side panel: compose a point or range note at the current lesson-clock time with a code
// from a framework, markers on a timeline (click to seek), the threaded list with replies and
// @mentions, filters by code, author and group. Works beside any player that gives the current
// time and a seek function (the replay page, the research lesson page).
import { useMemo, useState, type FormEvent } from 'react';
import type { Annotation, Framework, ResearchGroup, Rubric } from '../../../server/contract/research.js';
import { errorText } from '../api.js';
import { Choice } from '../components/Choice.js';
import { useI18n } from '../i18n/index.js';
import { toast } from '../toast.js';
import { clockText } from './researchApi.js';
import type { AnnotationsState } from './useAnnotations.js';

const FLANDERS = ['F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7', 'F8', 'F9', 'F10'];
const FRAMEWORKS = ['none', 'st', 'flanders', 'rubric'] as const;

export interface AnnotationPanelProps {
  notes: AnnotationsState;
  currentMs: number;
  durationMs: number;
  onSeek(ms: number): void;
  rubric: Rubric | null;
  groups: ResearchGroup[];
  meId: string;
}

export function codeLabel(code: string | null, rubric: Rubric | null): string {
  if (!code) return '';
  return rubric?.criteria.find((c) => c.id === code)?.name ?? code;
}

export function AnnotationTimeline({ list, durationMs, currentMs, onSeek, rubric }: { list: Annotation[]; durationMs: number; currentMs: number; onSeek(ms: number): void; rubric: Rubric | null }) {
  const d = Math.max(1, durationMs);
  return (
    <div className="rs-timeline" data-testid="annotation-timeline">
      <div className="rs-timeline-cursor" style={{ left: `${(100 * currentMs) / d}%` }} />
      {list
        .filter((a) => !a.parentId)
        .map((a) => (
          <button
            key={a.id}
            type="button"
            className={`rs-marker rs-fw-${a.framework}`}
            style={{ left: `${(100 * a.atMs) / d}%`, width: a.endMs !== null ? `${Math.max(0.6, (100 * (a.endMs - a.atMs)) / d)}%` : undefined }}
            title={`${clockText(a.atMs)} ${codeLabel(a.code, rubric)} ${a.text}`}
            data-testid="annotation-marker"
            onClick={() => onSeek(a.atMs)}
          />
        ))}
    </div>
  );
}

export function AnnotationPanel({ notes, currentMs, durationMs, onSeek, rubric, groups, meId }: AnnotationPanelProps) {
  const { t } = useI18n();
  const [framework, setFramework] = useState<Framework>('none');
  const [code, setCode] = useState('');
  const [text, setText] = useState('');
  const [rangeFrom, setRangeFrom] = useState<number | null>(null);
  const [groupId, setGroupId] = useState('');
  const [fCode, setFCode] = useState('');
  const [fAuthor, setFAuthor] = useState('');
  const [fGroup, setFGroup] = useState('');
  const [busy, setBusy] = useState(false);
  const myGroups = groups.filter((g) => g.members.some((m) => m.userId === meId));

  const codes = framework === 'st' ? ['T', 'S'] : framework === 'flanders' ? FLANDERS : framework === 'rubric' ? (rubric?.criteria.map((c) => c.id) ?? []) : [];
  const top = notes.list.filter((a) => !a.parentId);
  const replies = useMemo(() => {
    const m = new Map<string, Annotation[]>();
    for (const a of notes.list) if (a.parentId) m.set(a.parentId, [...(m.get(a.parentId) ?? []), a]);
    return m;
  }, [notes.list]);
  const authors = [...new Map(notes.list.map((a) => [a.authorId, a.authorName])).entries()];
  const allCodes = [...new Set(top.map((a) => a.code).filter((c): c is string => !!c))];
  const shown = top.filter((a) => (!fCode || a.code === fCode) && (!fAuthor || a.authorId === fAuthor || (replies.get(a.id) ?? []).some((r) => r.authorId === fAuthor)) && (!fGroup || a.groupId === fGroup));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim() || busy) return;
    setBusy(true);
    try {
      const at = rangeFrom ?? Math.round(currentMs);
      const end = rangeFrom !== null ? Math.max(at, Math.round(currentMs)) : null;
      await notes.create({ atMs: at, endMs: end, framework, code: codes.length ? code || codes[0] : null, text, groupId: groupId || null });
      setText('');
      setRangeFrom(null);
    } catch (err) {
      toast.error(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="rs-annotations" data-testid="annotation-panel">
      <AnnotationTimeline list={shown} durationMs={durationMs} currentMs={currentMs} onSeek={onSeek} rubric={rubric} />
      <form className="rs-compose" onSubmit={submit}>
        <div className="rs-row">
          <Choice
            value={framework}
            data-testid="ann-framework"
            options={FRAMEWORKS.map((f) => [f, t(`research.ann.framework.${f}`)])}
            onChange={(v) => (setFramework(v as Framework), setCode(''))}
          />
          {codes.length > 0 && (
            <Choice
              value={code || codes[0]}
              aria-label={t('research.ann.code')}
              data-testid="ann-code"
              options={codes.map((c) => [c, codeLabel(c, framework === 'rubric' ? rubric : null)])}
              onChange={setCode}
            />
          )}
          <button type="button" className={rangeFrom !== null ? 'active' : ''} data-testid="ann-range" onClick={() => setRangeFrom(rangeFrom === null ? Math.round(currentMs) : null)}>
            {rangeFrom === null ? t('research.ann.range') : t('research.ann.rangeFrom', { t: clockText(rangeFrom) })}
          </button>
          {myGroups.length > 0 && (
            <Choice value={groupId} aria-label={t('research.ann.group')} none={t('research.ann.noGroup')} options={myGroups.map((g) => [g.id, g.name])} onChange={setGroupId} />
          )}
        </div>
        <div className="rs-row">
          <span className="rs-clock">{clockText(currentMs)}</span>
          <input value={text} maxLength={2000} placeholder={t('research.ann.text')} data-testid="ann-text" onChange={(e) => setText(e.target.value)} />
          <button type="submit" className="primary" disabled={busy || !text.trim()} data-testid="ann-submit">
            {t('research.ann.send')}
          </button>
        </div>
      </form>
      <div className="rs-row rs-filters">
        <label>
          {t('research.ann.filter.code')}
          <Choice value={fCode} data-testid="filter-code" none={t('research.ann.filter.all')} options={allCodes.map((c) => [c, codeLabel(c, rubric)])} onChange={setFCode} />
        </label>
        <label>
          {t('research.ann.filter.author')}
          <Choice value={fAuthor} data-testid="filter-author" none={t('research.ann.filter.all')} options={authors} onChange={setFAuthor} />
        </label>
        <label>
          {t('research.ann.filter.group')}
          <Choice value={fGroup} none={t('research.ann.filter.all')} options={groups.map((g) => [g.id, g.name])} onChange={setFGroup} />
        </label>
      </div>
      {shown.length === 0 && <div className="muted">{t('research.ann.empty')}</div>}
      <ul className="rs-list" data-testid="annotation-list">
        {shown.map((a) => (
          <NoteItem key={a.id} a={a} replies={replies.get(a.id) ?? []} notes={notes} onSeek={onSeek} rubric={rubric} meId={meId} />
        ))}
      </ul>
    </div>
  );
}

function NoteItem({ a, replies, notes, onSeek, rubric, meId }: { a: Annotation; replies: Annotation[]; notes: AnnotationsState; onSeek(ms: number): void; rubric: Rubric | null; meId: string }) {
  const { t } = useI18n();
  const [reply, setReply] = useState('');
  const mentionsMe = (x: Annotation) => notes.mentionedIds.has(x.id) || x.mentions.some((m) => m.userId === meId);
  const send = async (e: FormEvent) => {
    e.preventDefault();
    if (!reply.trim()) return;
    try {
      await notes.create({ atMs: a.atMs, framework: 'none', text: reply, parentId: a.id });
      setReply('');
    } catch (err) {
      toast.error(errorText(err));
    }
  };
  return (
    <li className={`rs-note${mentionsMe(a) ? ' rs-mentioned' : ''}`} data-testid="annotation-item">
      <div className="rs-note-head">
        <button type="button" className="link" data-testid="annotation-seek" onClick={() => onSeek(a.atMs)}>
          {clockText(a.atMs)}
          {a.endMs !== null ? `–${clockText(a.endMs)}` : ''}
        </button>
        {a.code && <span className={`rs-code rs-fw-${a.framework}`}>{codeLabel(a.code, rubric)}</span>}
        <span className="rs-author">{a.authorName}</span>
        {a.live && <span className="rs-badge">{t('research.ann.live')}</span>}
        {mentionsMe(a) && <span className="rs-badge rs-badge-mention">{t('research.ann.mentioned')}</span>}
        {a.authorId === meId && (
          <button type="button" className="link" onClick={() => void notes.remove(a.id).catch((err) => toast.error(errorText(err)))}>
            {t('research.ann.delete')}
          </button>
        )}
      </div>
      <div className="rs-note-text" data-testid="annotation-text">
        {a.text}
      </div>
      {replies.length > 0 && (
        <ul className="rs-replies">
          {replies.map((r) => (
            <li key={r.id} className={mentionsMe(r) ? 'rs-mentioned' : ''} data-testid="annotation-reply">
              <span className="rs-author">{r.authorName}</span>：{r.text}
            </li>
          ))}
        </ul>
      )}
      <form className="rs-row" onSubmit={send}>
        <input value={reply} maxLength={2000} placeholder={t('research.ann.replyText')} data-testid="reply-text" onChange={(e) => setReply(e.target.value)} />
        <button type="submit" disabled={!reply.trim()} data-testid="reply-submit">
          {t('research.ann.reply')}
        </button>
      </form>
    </li>
  );
}
