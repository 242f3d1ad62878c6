// The evidence pack (佐证材料包): a .zip with every file of the report's activities in a folder per
// activity, and an index (index.csv and index.html) listing each file with its pairing and
// activity. Online lessons' evidence is their attendance, written from the lesson's presence log;
// offline activities' files come from the evidence slice (ReportSources.openEvidence). Streamed:
// a file given as a stream is read as the zip is written, stored without recompression (photos and
// PDFs are compressed already), so a pack of hundreds of MB need not sit in memory (limit: every
// file is opened when the pack starts).
import JSZip from 'jszip';
import { PassThrough, type Readable } from 'node:stream';
import { toCsv } from '../../http/csv.js';
import type { ReportData } from '../../contract/workspace/report.js';
import type { ReportSources } from './sources.js';
import { KIND_ZH, pairingName } from './tables.js';

export interface PackEntry {
  path: string;
  pairing: string;
  day: string;
  kind: string;
  activity: string;
  school: string;
  bytes: number | null;
}

/** A safe path segment: no separators, control characters or dot-only names; at most 80 characters. */
export function segment(s: string): string {
  const clean = [...s]
    .map((ch) => (ch.charCodeAt(0) < 0x20 || '\\/:*?"<>|'.includes(ch) ? '_' : ch))
    .join('')
    .trim()
    .slice(0, 80);
  return clean.replace(/^\.+$/, '_') || '_';
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function indexHtml(d: ReportData, entries: PackEntry[]): string {
  const rows = entries
    .map((e) => `<tr><td><a href="${escapeHtml(encodeURI(e.path))}">${escapeHtml(e.path)}</a></td><td>${escapeHtml(e.pairing)}</td><td>${e.day}</td><td>${escapeHtml(e.kind)}</td><td>${escapeHtml(e.activity)}</td><td>${escapeHtml(e.school)}</td></tr>`)
    .join('\n');
  return `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>${escapeHtml(d.community.name)} ${d.year} 佐证材料</title>
<h1>${escapeHtml(d.community.name)} ${d.year} 年度佐证材料</h1>
<table border="1" cellspacing="0" cellpadding="4"><tr><th>文件</th><th>结对</th><th>日期</th><th>类型</th><th>活动</th><th>学校</th></tr>
${rows}
</table></html>\n`;
}

/** The pack as a stream, and its index (for the caller's log and the tests). */
export function evidencePack(d: ReportData, sources: Pick<ReportSources, 'openEvidence'>): { stream: NodeJS.ReadableStream; entries: PackEntry[] } {
  const zip = new JSZip();
  const entries: PackEntry[] = [];
  const used = new Set<string>();
  const unique = (path: string) => {
    let p = path;
    for (let n = 2; used.has(p); n++) p = path.replace(/(\.[^./]*)?$/, (ext) => ` (${n})${ext}`);
    used.add(p);
    return p;
  };
  for (const p of d.pairings) {
    const pairing = pairingName(p);
    const folder = segment(pairing);
    for (const l of p.lessons.filter((x) => x.counts)) {
      const csv = toCsv(
        l.attendance.map((a) => ({ 教室: a.classroomName, 城乡: a.side === 'city' ? '城区' : '乡村', 首次进入: a.firstJoin ?? '', 最后离开: a.lastLeave ?? '', 在线分钟: a.connectedMin })),
      );
      const path = unique(`${folder}/${segment(`${l.day} 同步课堂 ${l.title}`)}/出勤记录.csv`);
      const bytes = Buffer.from(csv, 'utf8');
      zip.file(path, bytes, { createFolders: false });
      entries.push({ path, pairing, day: l.day, kind: KIND_ZH.sync_lesson, activity: l.title, school: p.citySchool.name, bytes: bytes.length });
    }
    for (const a of p.activities) {
      for (const f of a.evidence) {
        const path = unique(`${folder}/${segment(`${a.day} ${KIND_ZH[a.kind]} ${a.title}`)}/${segment(f.fileName)}`);
        // JSZip takes a Node stream only as such, not as a promise of one: hand it a stream now and
        // feed it once the file is found. It is read only when the zip reaches it (backpressure).
        zip.file(path, lazyStream(() => sources.openEvidence(f.id)), { binary: true, createFolders: false });
        entries.push({ path, pairing, day: a.day, kind: KIND_ZH[a.kind], activity: a.title, school: a.schoolName, bytes: f.byteSize });
      }
    }
  }
  zip.file('index.csv', toCsv(entries.map((e) => ({ 文件: e.path, 结对: e.pairing, 日期: e.day, 类型: e.kind, 活动: e.activity, 学校: e.school, 字节: e.bytes ?? '' }))));
  zip.file('index.html', indexHtml(d, entries));
  const stream = zip.generateNodeStream({ type: 'nodebuffer', streamFiles: true, compression: 'STORE' });
  return { stream, entries };
}

/** A stream now for bytes found later: a missing or unreadable file fails the pack (logged by the route). */
function lazyStream(open: () => Promise<Readable | Buffer>): PassThrough {
  const out = new PassThrough();
  open().then(
    (src) => {
      if (Buffer.isBuffer(src)) {
        out.end(src);
        return;
      }
      src.on('error', (err) => out.destroy(err));
      src.pipe(out);
    },
    (err: Error) => out.destroy(err),
  );
  return out;
}
