// Annotations as CSV (server/http/csv.ts: BOM for Excel, formula cells escaped).
import { toCsv } from '../../http/csv.js';
import type { Annotation } from '../../contract/research.js';

export function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(Math.floor(s / 3600))}:${p(Math.floor((s % 3600) / 60))}:${p(s % 60)}.${String(ms % 1000).padStart(3, '0')}`;
}

export function annotationsCsv(list: Annotation[]): string {
  const rows = list.map((a) => ({
    id: a.id,
    parent_id: a.parentId ?? '',
    start_ms: a.atMs,
    end_ms: a.endMs ?? '',
    start: clock(a.atMs),
    end: a.endMs === null ? '' : clock(a.endMs),
    framework: a.framework,
    code: a.code ?? '',
    author: a.authorName,
    author_id: a.authorId,
    group_id: a.groupId ?? '',
    live: a.live ? 1 : 0,
    text: a.text,
    mentions: a.mentions.map((m) => m.displayName).join(' '),
    created_at: a.createdAt,
  }));
  return toCsv(rows, { columns: rows.length ? undefined : ['id'] });
}
