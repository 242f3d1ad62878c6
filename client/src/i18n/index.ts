// Tiny i18n: Chinese first, English toggle kept in localStorage; <html lang> follows it.
import { useSyncExternalStore } from 'react';
import { zhCN, type MessageKey } from './zh-CN.js';
import { en } from './en.js';

export type Lang = 'zh-CN' | 'en';
export type { MessageKey };
export type Params = Record<string, string | number>;

const STORAGE_KEY = 'tongbu.lang';
const dictionaries: Record<Lang, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };

function initialLang(): Lang {
  try {
    const v = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (v === 'en' || v === 'zh-CN') return v;
  } catch {
    /* storage unavailable */
  }
  return 'zh-CN';
}

let lang: Lang = initialLang();
const listeners = new Set<() => void>();

function applyHtmlLang(): void {
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
}
applyHtmlLang();

export function getLang(): Lang {
  return lang;
}

export function setLang(next: Lang): void {
  if (next === lang) return;
  lang = next;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, next);
  } catch {
    /* ignore */
  }
  applyHtmlLang();
  for (const l of listeners) l();
}

export function format(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

/** Translate outside React (media layer, toasts). */
export function tr(key: MessageKey, params?: Params): string {
  return format(dictionaries[lang][key] ?? zhCN[key] ?? key, params);
}

function subscribe(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** React hook: re-renders on language change. */
export function useI18n(): { t: typeof tr; lang: Lang; setLang: typeof setLang; toggle: () => void } {
  const current = useSyncExternalStore(subscribe, getLang, getLang);
  void current;
  return { t: tr, lang: current, setLang, toggle: () => setLang(current === 'zh-CN' ? 'en' : 'zh-CN') };
}

export function useT(): typeof tr {
  return useI18n().t;
}

export function localeOf(l: Lang = lang): string {
  return l === 'en' ? 'en-US' : 'zh-CN';
}
