// On the observer page of a live lesson: a note typed now lands at this moment of the lesson
// clock (the server stamps the time), so it sits at the right place of the recording later.
import { useState, type FormEvent } from 'react';
import { errorText } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { toast } from '../toast.js';
import { clockText } from './researchApi.js';
import { useAnnotations } from './useAnnotations.js';

export function LiveAnnotateBox({ lessonId }: { lessonId: string }) {
  const { t } = useI18n();
  const notes = useAnnotations(lessonId);
  const [text, setText] = useState('');
  const [last, setLast] = useState<number | null>(null);
  const send = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    try {
      const a = await notes.create({ framework: 'none', text });
      setLast(a.atMs);
      setText('');
    } catch (err) {
      toast.error(errorText(err));
    }
  };
  return (
    <form className="rs-live-annotate" data-testid="live-annotate" onSubmit={send}>
      <input value={text} maxLength={2000} placeholder={t('research.live.placeholder')} data-testid="live-annotate-text" onChange={(e) => setText(e.target.value)} />
      <button type="submit" disabled={!text.trim() || !notes.connected} data-testid="live-annotate-send">
        {t('research.live.send')}
      </button>
      {last !== null && (
        <span className="muted" data-testid="live-annotate-sent">
          {t('research.live.sent', { t: clockText(last) })}
        </span>
      )}
    </form>
  );
}
