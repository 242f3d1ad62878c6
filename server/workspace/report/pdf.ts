// The report as PDF (pdfkit, Noto Sans CJK SC as in the 评课报告: server/research/export/pdf.ts):
// landscape A4, the same tables as the .xlsx, drawn row by row with the header repeated on each
// new page. Column widths follow their content, so long titles wrap rather than run over.
import PDFDocument from 'pdfkit';
import type { ReportData } from '../../contract/workspace/report.js';
import { reportSummary, reportTables, reportTitle, type Cell, type ReportTable } from './tables.js';

const FONT = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';
const FAMILY = 'NotoSansCJKsc-Regular';
const MARGIN = 40;
const SIZE = 7.5;
const PAD = 2;

const text = (c: Cell) => (c === null ? '—' : String(c));

function widths(t: ReportTable, total: number): number[] {
  const want = t.header.map((h, i) => Math.min(40, Math.max(h.length * 2, ...t.rows.slice(0, 200).map((r) => text(r[i]).length))) + 2);
  const sum = want.reduce((a, b) => a + b, 0);
  return want.map((w) => (w / sum) * total);
}

function drawTable(doc: PDFKit.PDFDocument, t: ReportTable): void {
  doc.fontSize(SIZE);
  const left = MARGIN;
  const total = doc.page.width - 2 * MARGIN;
  const cols = widths(t, total);
  const bottom = () => doc.page.height - MARGIN;
  // Most cells fit on one line: measuring their width is much cheaper than laying out a wrap.
  const lineHeight = doc.currentLineHeight(true);
  // Cells repeat (names, 是/否, small numbers): each distinct text is shaped once for its width.
  const widthsSeen = new Map<string, number>();
  const widthOf = (c: string) => widthsSeen.get(c) ?? widthsSeen.set(c, doc.widthOfString(c)).get(c)!;
  const drawRow = (cells: string[], header: boolean) => {
    const fits = cells.map((c, i) => widthOf(c) <= cols[i] - 2 * PAD);
    const h = Math.max(...cells.map((c, i) => (fits[i] ? lineHeight : doc.heightOfString(c, { width: cols[i] - 2 * PAD })))) + 2 * PAD;
    if (doc.y + h > bottom()) {
      doc.addPage();
      if (!header) drawRow(t.header, true);
    }
    const y = doc.y;
    let x = left;
    if (header) doc.rect(left, y, total, h).fill('#eeeeee').fillColor('black');
    cells.forEach((c, i) => {
      // A cell that fits is placed without the line wrapper (three times faster on thousands of cells).
      doc.text(c, x + PAD, y + PAD, fits[i] ? { lineBreak: false } : { width: cols[i] - 2 * PAD });
      x += cols[i];
    });
    doc.lineWidth(0.3).strokeColor('#bbbbbb').moveTo(left, y + h).lineTo(left + total, y + h).stroke();
    doc.x = left;
    doc.y = y + h;
  };
  drawRow(t.header, true);
  for (const r of t.rows) drawRow(r.map(text), false);
}

export function reportPdf(d: ReportData): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', layout: 'landscape', margin: MARGIN, info: { Title: reportTitle(d), Producer: 'Tongbu' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('cjk', FONT, FAMILY);
  doc.font('cjk');
  doc.fontSize(16).text(reportTitle(d));
  doc.moveDown(0.5).fontSize(9);
  for (const line of reportSummary(d)) doc.text(line);
  for (const t of reportTables(d)) {
    if (doc.y > doc.page.height - MARGIN - 60) doc.addPage();
    doc.moveDown(0.8).fontSize(12).text(t.title, MARGIN);
    doc.moveDown(0.3);
    if (!t.rows.length) {
      doc.fontSize(9).text('暂无');
      continue;
    }
    drawTable(doc, t);
  }
  doc.end();
  return done;
}
