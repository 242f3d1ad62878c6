// 评课报告 as PDF (pdfkit, Noto Sans CJK SC). Charts are drawn as vector graphics directly with
// pdfkit's primitives — crisp at any zoom and no rasteriser needed.
import PDFDocument from 'pdfkit';
import { fix, lowConfidenceCount, pct, ST_METHOD_LABEL, type ReportData } from './report.js';

const FONT = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';
const FAMILY = 'NotoSansCJKsc-Regular';
const RED = '#d64541';
const BLUE = '#2678b2';
const GREY = '#c8c8c8';

export function reportPdf(d: ReportData): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `评课报告 ${d.lesson.title}`, Producer: 'Tongbu' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('cjk', FONT, FAMILY);
  doc.font('cjk');
  const { lesson, analysis: a } = d;
  doc.fontSize(20).text(`评课报告：${lesson.title}`);
  doc.moveDown(0.5).fontSize(10).fillColor('#444');
  doc.text(`学科 ${lesson.subject} · ${lesson.grade} 年级 · 授课教师 ${lesson.teacherName} · ${lesson.startedAt ?? lesson.scheduledAt}`);
  doc.text(`时长 ${(a.durationMs / 60000).toFixed(1)} 分钟 · 生成于 ${d.generatedAt.toISOString()}`);
  doc.fillColor('black').moveDown();

  doc.fontSize(14).text('S-T 分析');
  const f = a.st.figures;
  doc.fontSize(10).text(`编码方法：${ST_METHOD_LABEL[a.st.method]}；低置信度样本 ${lowConfidenceCount(a)} 个`);
  doc.text(
    `采样间隔 ${a.st.intervalS} 秒，N = ${f.n}，NT = ${f.nT}，连数 g = ${f.runs}，Rt = ${fix(f.rt)}，Ch = ${fix(f.ch)}，教学模式：${f.type ?? '—'}`,
  );
  if (a.st.samples.some((s) => s.corrected)) doc.text(`（已人工修正；自动编码 Rt = ${fix(a.st.auto.rt)}，Ch = ${fix(a.st.auto.ch)}，${a.st.auto.type ?? '—'}）`);
  const top = doc.y + 10;
  drawStCurve(doc, a.st.curve, 60, top, 200);
  drawRtCh(doc, f.rt, f.ch, 300, top, 200);
  doc.y = top + 230;
  doc.x = 50;

  doc.fontSize(14).text('课堂话语（3 秒网格）');
  doc.fontSize(10).text(`教师讲话 ${pct(a.talk.teacherPct)} · 学生讲话 ${pct(a.talk.studentPct)} · 沉寂 ${pct(a.talk.silencePct)}`);
  const y = doc.y + 6;
  const w = 495 / Math.max(1, a.talk.cells.length);
  a.talk.cells.forEach((c, i) => doc.rect(50 + i * w, y, Math.max(w, 0.5), 16).fill(c === 'T' ? RED : c === 'S' ? BLUE : GREY));
  doc.fillColor('black');
  doc.y = y + 24;
  doc.x = 50;
  for (const c of a.talk.classrooms) {
    doc.text(`${a.classroomNames[c.classroomId] ?? c.classroomId}：发言 ${c.speechS.toFixed(0)} 秒，占课堂 ${pct(c.share)}`);
  }
  doc.moveDown();

  doc.fontSize(14).text('评课标注（按编码）');
  doc.fontSize(10);
  if (!d.codeSummary.length) doc.text('暂无标注');
  for (const s of d.codeSummary) doc.text(`${s.code}：${s.count} 条（${s.authors} 位评课人）`);
  doc.moveDown();

  doc.fontSize(14).text('量表评分');
  doc.fontSize(10);
  const names = Object.fromEntries(d.scores.rubric.criteria.map((c) => [c.id, c.name]));
  for (const c of d.scores.summary.criteria) doc.text(`${names[c.criterionId] ?? c.criterionId}：平均 ${fix(c.mean)}，标准差 ${fix(c.sd)}（${c.n} 人）`);
  doc.text(`评分人 ${d.scores.summary.raters} 位；总体平均 ${fix(d.scores.summary.overall)}；评分一致性 Kendall W = ${fix(d.scores.summary.kendallW)}`);
  doc.moveDown();

  doc.fontSize(14).text('教研组结论');
  doc.fontSize(10);
  if (!d.sessions.length) doc.text('暂无');
  for (const s of d.sessions) {
    doc.text(`${s.groupName} · ${s.title}`, { underline: true });
    if (s.conclusions) doc.text(s.conclusions);
    if (s.minutes) doc.fillColor('#444').text(s.minutes).fillColor('black');
  }
  doc.end();
  return done;
}

function drawStCurve(doc: PDFKit.PDFDocument, curve: Array<[number, number]>, x: number, y: number, size: number) {
  const max = Math.max(1, ...curve.map(([t, s]) => Math.max(t, s)));
  const k = size / max;
  doc.lineWidth(0.5).strokeColor('#999').moveTo(x, y).lineTo(x, y + size).lineTo(x + size, y + size).stroke();
  doc.strokeColor('#ddd').moveTo(x, y + size).lineTo(x + size, y).stroke();
  doc.lineWidth(1.5);
  for (let i = 1; i < curve.length; i++) {
    const [t0, s0] = curve[i - 1];
    const [t1, s1] = curve[i];
    doc.strokeColor(t1 > t0 ? RED : BLUE).moveTo(x + t0 * k, y + size - s0 * k).lineTo(x + t1 * k, y + size - s1 * k).stroke();
  }
  doc.fillColor('black').fontSize(8).text('T', x + size + 4, y + size - 6).text('S', x - 10, y - 4).text('S-T 曲线', x, y + size + 6);
}

/** Rt–Ch diagram with the four type regions of the S-T literature. */
function drawRtCh(doc: PDFKit.PDFDocument, rt: number, ch: number, x: number, y: number, size: number) {
  const X = (v: number) => x + v * size;
  const Y = (v: number) => y + size - v * size;
  doc.rect(X(0), Y(1), X(0.3) - X(0), size).fill('#e8f3e8');
  doc.rect(X(0.7), Y(1), X(1) - X(0.7), size).fill('#f9e6e5');
  doc.rect(X(0.3), Y(1), X(0.7) - X(0.3), Y(0.4) - Y(1)).fill('#e5eef7');
  doc.rect(X(0.3), Y(0.4), X(0.7) - X(0.3), Y(0) - Y(0.4)).fill('#f5f0e0');
  doc.lineWidth(0.5).strokeColor('#999').rect(x, y, size, size).stroke();
  doc.fillColor('#555').fontSize(8);
  doc.text('练习型', X(0.02), Y(0.5)).text('讲授型', X(0.75), Y(0.5)).text('对话型', X(0.42), Y(0.7)).text('混合型', X(0.42), Y(0.2));
  doc.circle(X(rt), Y(Math.min(1, ch)), 4).fill(RED);
  doc.fillColor('black').text('Rt', x + size + 4, y + size - 6).text('Ch', x - 14, y - 4).text('Rt–Ch 图', x, y + size + 6);
}
