// HLS playlists, written from the database rather than by the workers (segments finish in
// any order on any machine). A segment that failed or a hole between recorder segments is an
// EXT-X-GAP entry of the right length, so a track's timeline stays on the lesson clock.
import type { OutputRow, SegmentRec } from './processingRepo.js';
import { chunkName } from '../contract/recordingPaths.js';

export interface PlaylistEntry {
  uri: string;
  durationS: number;
  gap?: boolean;
}

export function renderPlaylist(entries: PlaylistEntry[], ended: boolean): string {
  const target = Math.max(1, Math.ceil(Math.max(0, ...entries.map((e) => e.durationS))));
  const lines = ['#EXTM3U', '#EXT-X-VERSION:8', `#EXT-X-TARGETDURATION:${target}`, '#EXT-X-MEDIA-SEQUENCE:0', `#EXT-X-PLAYLIST-TYPE:${ended ? 'VOD' : 'EVENT'}`];
  for (const e of entries) {
    if (e.gap) lines.push('#EXT-X-GAP');
    lines.push(`#EXTINF:${e.durationS.toFixed(3)},`, e.uri);
  }
  if (ended) lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + '\n';
}

/** A track's playlist: its processed segments in order, gaps where nothing plays. */
export function trackPlaylist(trackStartMs: number, segments: SegmentRec[], outputs: Map<number, OutputRow>, stopped: boolean): string {
  const entries: PlaylistEntry[] = [];
  let at = trackStartMs;
  let complete = stopped;
  for (const g of [...segments].sort((a, b) => a.seq - b.seq)) {
    const o = outputs.get(g.seq);
    if (g.state === 'open' || (g.state === 'closed' && o?.state !== 'done' && o?.state !== 'failed')) {
      complete = false;
      break; // later segments wait: a playlist only grows at its end
    }
    if (g.startMs - at > 50) entries.push({ uri: chunkName.segment(g.seq), durationS: (g.startMs - at) / 1000, gap: true });
    const planned = ((g.endMs ?? g.startMs) - g.startMs) / 1000;
    if (o?.state === 'done') {
      const d = typeof o.meta.durationS === 'number' ? o.meta.durationS : planned;
      entries.push({ uri: chunkName.segment(g.seq), durationS: d });
      at = g.startMs + Math.round(d * 1000);
    } else {
      entries.push({ uri: chunkName.segment(g.seq), durationS: planned, gap: true });
      at = g.endMs ?? g.startMs;
    }
  }
  return renderPlaylist(entries, complete);
}

/** The composite's playlist: its windows, in order, as far as they are rendered. */
export function compositePlaylist(windows: OutputRow[], total: number, stopped: boolean): string {
  const byIndex = new Map(windows.map((w) => [Number(w.key.split('.').pop()), w]));
  const entries: PlaylistEntry[] = [];
  let i = 0;
  for (; i < total; i++) {
    const w = byIndex.get(i);
    if (!w || w.state !== 'done') break;
    entries.push({ uri: chunkName.window(i), durationS: Number(w.meta.durationS ?? 0) });
  }
  return renderPlaylist(entries, stopped && i === total && total > 0);
}
