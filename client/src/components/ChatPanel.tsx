// Lesson chat. Read-only + large (projector: latest few lines) or with an input (teacher, observer).
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { ChatMessage } from '../../../server/contract/domain.js';
import { LIMITS } from '../../../server/contract/limits.js';
import { localeOf, useI18n } from '../i18n/index.js';

export interface ChatPanelProps {
  chat: ChatMessage[];
  onSend?: (text: string) => Promise<boolean>;
  /** Show only the latest N messages (projector). */
  latest?: number;
  large?: boolean;
  disabled?: boolean;
}

export function ChatPanel({ chat, onSend, latest, large, disabled }: ChatPanelProps) {
  const { t, lang } = useI18n();
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const logRef = useRef<HTMLDivElement>(null);
  const shown = latest ? chat.slice(-latest) : chat;

  useEffect(() => {
    const el = logRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [chat.length]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const value = text.trim();
    if (!value || !onSend || sending) return;
    setSending(true);
    const ok = await onSend(value);
    setSending(false);
    if (ok) setText('');
  };

  const time = (iso: string) => {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString(localeOf(lang), { hour: '2-digit', minute: '2-digit' });
  };

  return (
    <section className={`panel chat-panel${large ? ' large' : ''}`}>
      <h2 className="panel-title">{t('chat.title')}</h2>
      <div className="chat-log" data-testid="chat-log" ref={logRef}>
        {shown.length === 0 && <div className="muted-text">{t('chat.empty')}</div>}
        {shown.map((m) => (
          <div key={m.id} className="chat-msg" data-testid="chat-msg">
            <span className="chat-who">{m.displayName}</span>
            {!large && <span className="chat-time">{time(m.sentAt)}</span>}
            <span className="chat-text">{m.text}</span>
          </div>
        ))}
      </div>
      {onSend && (
        <form className="chat-form" onSubmit={submit}>
          <input
            data-testid="chat-input"
            value={text}
            maxLength={LIMITS.chatTextMax}
            placeholder={t('chat.placeholder')}
            onChange={(e) => setText(e.target.value)}
            disabled={disabled}
          />
          <button type="submit" data-testid="chat-send" disabled={disabled || sending || !text.trim()}>
            {t('chat.send')}
          </button>
        </form>
      )}
    </section>
  );
}
