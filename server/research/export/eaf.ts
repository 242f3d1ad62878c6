// Annotations as an ELAN .eaf document (EAF 3.0 structure: ANNOTATION_DOCUMENT › HEADER with
// MEDIA_DESCRIPTOR, TIME_ORDER of TIME_SLOTs, one TIER per code and author holding
// ALIGNABLE_ANNOTATIONs, and the LINGUISTIC_TYPE the tiers use). Points become 1-ms annotations
// since ELAN annotations need an extent; replies are appended to their note's value.
// fast-xml-parser's builder writes the XML and escapes &<>"' in text and attributes.
// The voice tiers (./voiceTiers.ts) follow the notes: one tier per track and kind (归属发言 /
// 原始语音 / 归属不确定), of their own linguistic type "voice", each span one annotation.
import { XMLBuilder } from 'fast-xml-parser';
import type { Annotation } from '../../contract/research.js';
import { VOICE_TIER_LABEL, type VoiceTier } from './voiceTiers.js';

// suppressBooleanAttributes off: it would write TIME_ALIGNABLE="true" as a bare TIME_ALIGNABLE, which is not XML.
const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  format: true,
  indentBy: '  ',
  suppressEmptyNode: true,
  suppressBooleanAttributes: false,
});

// The builder escapes markup but keeps the control characters XML 1.0 forbids: they are stripped here.
// eslint-disable-next-line regexp/no-control-character -- deliberately strips the control characters XML 1.0 forbids
const clean = (s: string) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

export function annotationsEaf(list: Annotation[], opts: { mediaUrl: string; author: string; date?: Date }, voice: VoiceTier[] = []): string {
  const top = list.filter((a) => !a.parentId);
  const replies = new Map<string, Annotation[]>();
  for (const a of list) if (a.parentId) replies.set(a.parentId, [...(replies.get(a.parentId) ?? []), a]);
  const slots: number[] = [];
  const slotId = (ms: number) => `ts${slots.push(ms)}`;
  const tiers = new Map<string, object[]>();
  let n = 0;
  for (const a of [...top].sort((x, y) => x.atMs - y.atMs)) {
    const tier = `${a.code ?? a.framework}-${a.authorName}`;
    const s1 = slotId(a.atMs);
    const s2 = slotId(a.endMs !== null && a.endMs > a.atMs ? a.endMs : a.atMs + 1);
    const thread = [a.text, ...(replies.get(a.id) ?? []).map((r) => `↳ ${r.authorName}: ${r.text}`)].join('\n');
    const ann = { ALIGNABLE_ANNOTATION: { '@ANNOTATION_ID': `a${++n}`, '@TIME_SLOT_REF1': s1, '@TIME_SLOT_REF2': s2, ANNOTATION_VALUE: clean(thread) } };
    tiers.set(tier, [...(tiers.get(tier) ?? []), ann]);
  }
  const voiceTiers = voice.map((v) => ({
    '@LINGUISTIC_TYPE_REF': 'voice',
    '@TIER_ID': clean(`${VOICE_TIER_LABEL[v.kind]}-${v.track}`),
    ANNOTATION: v.spans.map(([s, e]) => ({
      ALIGNABLE_ANNOTATION: { '@ANNOTATION_ID': `a${++n}`, '@TIME_SLOT_REF1': slotId(s), '@TIME_SLOT_REF2': slotId(e > s ? e : s + 1), ANNOTATION_VALUE: VOICE_TIER_LABEL[v.kind] },
    })),
  }));
  const types = [{ '@GRAPHIC_REFERENCES': 'false', '@LINGUISTIC_TYPE_ID': 'note', '@TIME_ALIGNABLE': 'true' }];
  if (voice.length) types.push({ '@GRAPHIC_REFERENCES': 'false', '@LINGUISTIC_TYPE_ID': 'voice', '@TIME_ALIGNABLE': 'true' });
  const mime = opts.mediaUrl.endsWith('.mp4') ? 'video/mp4' : opts.mediaUrl.endsWith('.webm') ? 'video/webm' : 'audio/x-wav';
  return builder.build({
    '?xml': { '@version': '1.0', '@encoding': 'UTF-8' },
    ANNOTATION_DOCUMENT: {
      '@AUTHOR': clean(opts.author),
      '@DATE': (opts.date ?? new Date()).toISOString(),
      '@FORMAT': '3.0',
      '@VERSION': '3.0',
      '@xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
      '@xsi:noNamespaceSchemaLocation': 'http://www.mpi.nl/tools/elan/EAFv3.0.xsd',
      HEADER: {
        '@MEDIA_FILE': '',
        '@TIME_UNITS': 'milliseconds',
        MEDIA_DESCRIPTOR: { '@MEDIA_URL': clean(opts.mediaUrl), '@MIME_TYPE': mime },
        PROPERTY: { '@NAME': 'lastUsedAnnotationId', '#text': String(n) },
      },
      TIME_ORDER: { TIME_SLOT: slots.map((ms, i) => ({ '@TIME_SLOT_ID': `ts${i + 1}`, '@TIME_VALUE': String(Math.round(ms)) })) },
      TIER: [...[...tiers].map(([tier, anns]) => ({ '@LINGUISTIC_TYPE_REF': 'note', '@TIER_ID': clean(tier), ANNOTATION: anns })), ...voiceTiers],
      LINGUISTIC_TYPE: types.length === 1 ? types[0] : types,
    },
  });
}
