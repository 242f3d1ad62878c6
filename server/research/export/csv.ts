// Annotations as CSV (server/http/csv.ts: BOM for Excel, formula cells escaped), then the voice
// tiers (./voiceTiers.ts) as rows of framework "voice": code attributed / raw / uncertain, the
// track in `track`, one row per span.
import { toCsv } from '../../http/csv.js';
import type { Annotation } from '../../contract/research.js';
import type { VoiceTier } from './voiceTiers.js';

const COLUMNS = ['id', 'parent_id', 'start_ms', 'end_ms', 'start', 'end', 'framework', 'code', 'author', 'author_id', 'group_id', 'live', 'text', 'mentions', 'created_at', 'track', 'track_id'];

export function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(Math.floor(s / 3600))}:${p(Math.floor((s % 3600) / 60))}:${p(s % 60)}.${String(ms % 1000).padStart(3, '0')}`;
}

export function annotationsCsv(list: Annotation[], voice: VoiceTier[] = []): string {
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
    track: '',
    track_id: '',
  }));
  const voiceRows = voice.flatMap((v) =>
    v.spans.map(([s, e], i) => ({
      ...Object.fromEntries(COLUMNS.map((c) => [c, ''])),
      id: `${v.trackId}:${v.kind}:${i + 1}`,
      start_ms: s,
      end_ms: e,
      start: clock(s),
      end: clock(e),
      framework: 'voice',
      code: v.kind,
      track: v.track,
      track_id: v.trackId,
    })),
  );
  const all = [...rows, ...voiceRows];
  return toCsv(all, { columns: all.length ? COLUMNS : ['id'] });
}
