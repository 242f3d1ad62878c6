// CSV and ELAN exports of notes: structure, escaping of hostile text, points vs ranges, threads.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { annotationsCsv, clock } from '../../server/research/export/csv.js';
import { annotationsEaf } from '../../server/research/export/eaf.js';
import { stCurvePng, talkStripPng } from '../../server/research/export/raster.js';
import type { Annotation, VoiceTrack } from '../../server/contract/research.js';
import { voiceTiers } from '../../server/research/export/voiceTiers.js';

const note = (o: Partial<Annotation>): Annotation => ({
  id: 'a1',
  lessonId: 'L',
  authorId: 'u1',
  authorName: '赵老师',
  groupId: null,
  parentId: null,
  framework: 'st',
  code: 'T',
  atMs: 1000,
  endMs: null,
  text: 'x',
  mentions: [],
  live: false,
  createdAt: '2026-11-23T10:00:00.000Z',
  ...o,
});

const hostile = 'a "quoted", <tag> & \'apos\'\nline2\u0001';
const list = [
  note({ id: 'a1', text: hostile, endMs: 4000 }),
  note({ id: 'a2', parentId: 'a1', authorName: '钱老师', authorId: 'u2', framework: 'none', code: null, text: '同意' }),
  note({ id: 'a3', framework: 'flanders', code: 'F4', atMs: 61_000 }),
];

describe('CSV', () => {
  it('round-trips hostile text and formats the clock', () => {
    const rows = Papa.parse<Record<string, string>>(annotationsCsv(list).replace(/^\ufeff/, ''), { header: true, skipEmptyLines: true }).data;
    expect(rows).toHaveLength(3);
    expect(rows[0].text).toBe(hostile);
    expect(rows[0]).toMatchObject({ start: '00:00:01.000', end: '00:00:04.000', code: 'T' });
    expect(rows[1]).toMatchObject({ parent_id: 'a1', end: '' });
    expect(clock(3_723_045)).toBe('01:02:03.045');
  });
  it('an empty list is a header-only file', () => {
    expect(annotationsCsv([]).replace(/^\ufeff/, '').trim()).toBe('id');
  });
  it('escapes every cell a spreadsheet would run as a formula (= + - @, tab, CR), also with a line break after it', () => {
    const formulas = ['=HYPERLINK("http://x","y")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1', '=1\n2'];
    const csv = annotationsCsv(formulas.map((text, i) => note({ id: `f${i}`, text, authorName: text })));
    const rows = Papa.parse<Record<string, string>>(csv.replace(/^\ufeff/, ''), { header: true, skipEmptyLines: true }).data;
    expect(rows.map((r) => r.text)).toEqual(formulas.map((f) => `'${f}`));
    expect(rows.map((r) => r.author)).toEqual(formulas.map((f) => `'${f}`));
    // Ordinary text and numbers are untouched.
    expect(rows[0].start_ms).toBe('1000');
    expect(rows[0].id).toBe('f0');
  });
});

describe('ELAN .eaf', () => {
  const xml = annotationsEaf(list, { mediaUrl: 'L.mp4', author: 'A & B', date: new Date('2026-11-23T00:00:00Z') });
  it('is well-formed XML with the EAF skeleton', () => {
    expect(XMLValidator.validate(xml)).toBe(true);
    const d = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (n) => ['TIER', 'ANNOTATION', 'TIME_SLOT'].includes(n) }).parse(xml).ANNOTATION_DOCUMENT;
    expect(d['@AUTHOR']).toBe('A & B');
    expect(d.HEADER.MEDIA_DESCRIPTOR).toMatchObject({ '@MEDIA_URL': 'L.mp4', '@MIME_TYPE': 'video/mp4' });
    const slots = Object.fromEntries(d.TIME_ORDER.TIME_SLOT.map((s: Record<string, string>) => [s['@TIME_SLOT_ID'], Number(s['@TIME_VALUE'])]));
    expect(d.TIER.map((t: Record<string, string>) => t['@TIER_ID'])).toEqual(['T-赵老师', 'F4-赵老师']);
    const range = d.TIER[0].ANNOTATION[0].ALIGNABLE_ANNOTATION;
    expect([slots[range['@TIME_SLOT_REF1']], slots[range['@TIME_SLOT_REF2']]]).toEqual([1000, 4000]);
    expect(range.ANNOTATION_VALUE).toContain('↳ 钱老师: 同意');
    expect(range.ANNOTATION_VALUE).not.toContain('\u0001');
    // a point becomes a 1-ms annotation (ELAN annotations need an extent)
    const point = d.TIER[1].ANNOTATION[0].ALIGNABLE_ANNOTATION;
    expect(slots[point['@TIME_SLOT_REF2']] - slots[point['@TIME_SLOT_REF1']]).toBe(1);
    expect(d.LINGUISTIC_TYPE).toMatchObject({ '@LINGUISTIC_TYPE_ID': 'note', '@TIME_ALIGNABLE': 'true' });
  });
});

describe('voice tiers in the notes exports', () => {
  const tracks: VoiceTrack[] = [
    { trackId: 'tt', speaker: 'teacher', classroomId: null, label: 'teacher', segments: [[0, 5000]], raw: [[0, 5000]], uncertain: [], attribution: 'attributed', leaks: [] },
    {
      trackId: 'tq',
      speaker: 'classroom',
      classroomId: 'Q',
      label: '麦克风',
      segments: [[6000, 9000]],
      raw: [[200, 5100], [6000, 9000]],
      uncertain: [[200, 1200]],
      attribution: 'attributed',
      leaks: [{ fromTrackId: 'tt', gainDb: -24, lagMs: 180, removedMs: 4900 }],
    },
  ];
  const tiers = voiceTiers(tracks, { Q: '青山村小学 四年级' });
  it('attributed and raw per track, uncertain where there is any, named by who the track is', () => {
    expect(tiers.map((t) => `${t.kind}:${t.track}`)).toEqual(['attributed:教师', 'raw:教师', 'attributed:青山村小学 四年级 麦克风', 'raw:青山村小学 四年级 麦克风', 'uncertain:青山村小学 四年级 麦克风']);
  });
  it('CSV: one row per span after the notes, framework voice', () => {
    const rows = Papa.parse<Record<string, string>>(annotationsCsv(list, tiers).replace(/^\ufeff/, ''), { header: true, skipEmptyLines: true }).data;
    expect(rows.slice(0, 3).map((r) => r.framework)).toEqual(['st', 'none', 'flanders']);
    const voice = rows.filter((r) => r.framework === 'voice');
    expect(voice.map((r) => `${r.track_id}:${r.code}:${r.start_ms}-${r.end_ms}`)).toEqual(['tt:attributed:0-5000', 'tt:raw:0-5000', 'tq:attributed:6000-9000', 'tq:raw:200-5100', 'tq:raw:6000-9000', 'tq:uncertain:200-1200']);
    expect(voice[3]).toMatchObject({ track: '青山村小学 四年级 麦克风', start: '00:00:00.200', author: '' });
    expect(rows[0].track).toBe('');
  });
  it('ELAN: a tier per track and kind, of linguistic type voice, after the notes', () => {
    const xml = annotationsEaf(list, { mediaUrl: 'L.mp4', author: 'A' }, tiers);
    expect(XMLValidator.validate(xml)).toBe(true);
    const d = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (n) => ['TIER', 'ANNOTATION', 'TIME_SLOT', 'LINGUISTIC_TYPE'].includes(n) }).parse(xml).ANNOTATION_DOCUMENT;
    const slots = Object.fromEntries(d.TIME_ORDER.TIME_SLOT.map((s: Record<string, string>) => [s['@TIME_SLOT_ID'], Number(s['@TIME_VALUE'])]));
    expect(d.TIER.map((t: Record<string, string>) => t['@TIER_ID'])).toEqual([
      'T-赵老师',
      'F4-赵老师',
      '归属发言-教师',
      '原始语音-教师',
      '归属发言-青山村小学 四年级 麦克风',
      '原始语音-青山村小学 四年级 麦克风',
      '归属不确定-青山村小学 四年级 麦克风',
    ]);
    const raw = d.TIER[5];
    expect(raw['@LINGUISTIC_TYPE_REF']).toBe('voice');
    expect(raw.ANNOTATION.map((a: { ALIGNABLE_ANNOTATION: Record<string, string> }) => [slots[a.ALIGNABLE_ANNOTATION['@TIME_SLOT_REF1']], slots[a.ALIGNABLE_ANNOTATION['@TIME_SLOT_REF2']]])).toEqual([
      [200, 5100],
      [6000, 9000],
    ]);
    expect(d.LINGUISTIC_TYPE.map((t: Record<string, string>) => t['@LINGUISTIC_TYPE_ID'])).toEqual(['note', 'voice']);
    const ids = [...xml.matchAll(/ANNOTATION_ID="(a\d+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('report charts', () => {
  it('PNG files with the signature and the requested size', () => {
    const png = stCurvePng([[0, 0], [1, 0], [1, 1]], 100);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(100);
    expect(talkStripPng(['T', 'S', '-'], 60, 10).readUInt32BE(20)).toBe(10);
  });
});
