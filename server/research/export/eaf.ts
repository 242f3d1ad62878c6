// Annotations as an ELAN .eaf document (EAF 3.0 structure: ANNOTATION_DOCUMENT › HEADER with
// MEDIA_DESCRIPTOR, TIME_ORDER of TIME_SLOTs, one TIER per code and author holding
// ALIGNABLE_ANNOTATIONs, and the LINGUISTIC_TYPE the tiers use). Points become 1-ms annotations
// since ELAN annotations need an extent; replies are appended to their note's value.
import type { Annotation } from '../types.js';

const esc = (s: string) =>
  // eslint-disable-next-line regexp/no-control-character -- deliberately strips the control characters XML 1.0 forbids
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

export function annotationsEaf(list: Annotation[], opts: { mediaUrl: string; author: string; date?: Date }): string {
  const top = list.filter((a) => !a.parentId);
  const replies = new Map<string, Annotation[]>();
  for (const a of list) if (a.parentId) replies.set(a.parentId, [...(replies.get(a.parentId) ?? []), a]);
  const slots: number[] = [];
  const slotId = (ms: number) => `ts${slots.push(ms)}`;
  const tiers = new Map<string, string[]>();
  let n = 0;
  for (const a of [...top].sort((x, y) => x.atMs - y.atMs)) {
    const tier = `${a.code ?? a.framework}-${a.authorName}`;
    const s1 = slotId(a.atMs);
    const s2 = slotId(a.endMs !== null && a.endMs > a.atMs ? a.endMs : a.atMs + 1);
    const thread = [a.text, ...(replies.get(a.id) ?? []).map((r) => `↳ ${r.authorName}: ${r.text}`)].join('\n');
    const xml = `      <ANNOTATION>
        <ALIGNABLE_ANNOTATION ANNOTATION_ID="a${++n}" TIME_SLOT_REF1="${s1}" TIME_SLOT_REF2="${s2}">
          <ANNOTATION_VALUE>${esc(thread)}</ANNOTATION_VALUE>
        </ALIGNABLE_ANNOTATION>
      </ANNOTATION>`;
    tiers.set(tier, [...(tiers.get(tier) ?? []), xml]);
  }
  const mime = opts.mediaUrl.endsWith('.mp4') ? 'video/mp4' : opts.mediaUrl.endsWith('.webm') ? 'video/webm' : 'audio/x-wav';
  return `<?xml version="1.0" encoding="UTF-8"?>
<ANNOTATION_DOCUMENT AUTHOR="${esc(opts.author)}" DATE="${(opts.date ?? new Date()).toISOString()}" FORMAT="3.0" VERSION="3.0"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="http://www.mpi.nl/tools/elan/EAFv3.0.xsd">
  <HEADER MEDIA_FILE="" TIME_UNITS="milliseconds">
    <MEDIA_DESCRIPTOR MEDIA_URL="${esc(opts.mediaUrl)}" MIME_TYPE="${mime}"/>
    <PROPERTY NAME="lastUsedAnnotationId">${n}</PROPERTY>
  </HEADER>
  <TIME_ORDER>
${slots.map((ms, i) => `    <TIME_SLOT TIME_SLOT_ID="ts${i + 1}" TIME_VALUE="${Math.round(ms)}"/>`).join('\n')}
  </TIME_ORDER>
${[...tiers]
  .map(
    ([tier, anns]) => `  <TIER LINGUISTIC_TYPE_REF="note" TIER_ID="${esc(tier)}">
${anns.join('\n')}
  </TIER>`,
  )
  .join('\n')}
  <LINGUISTIC_TYPE GRAPHIC_REFERENCES="false" LINGUISTIC_TYPE_ID="note" TIME_ALIGNABLE="true"/>
</ANNOTATION_DOCUMENT>
`;
}
