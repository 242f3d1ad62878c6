// The report as .docx, the format schools submit: title, summary lines, then each table with its
// heading (the same tables as the .xlsx, so the figures agree). An empty table says so.
import { Document, HeadingLevel, Packer, PageOrientation, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import type { ReportData } from '../../contract/workspace/report.js';
import { reportSummary, reportTables, reportTitle, type Cell } from './tables.js';

const text = (c: Cell) => (c === null ? '—' : String(c));
const cell = (c: Cell, bold = false) => new TableCell({ children: [new Paragraph({ children: [new TextRun({ text: text(c), bold, size: 18 })] })] });

export async function reportDocx(d: ReportData): Promise<Buffer> {
  const children: (Paragraph | Table)[] = [new Paragraph({ text: reportTitle(d), heading: HeadingLevel.TITLE })];
  for (const line of reportSummary(d)) children.push(new Paragraph({ children: [new TextRun(line)] }));
  for (const t of reportTables(d)) {
    children.push(new Paragraph({ text: t.title, heading: HeadingLevel.HEADING_2 }));
    if (!t.rows.length) {
      children.push(new Paragraph({ children: [new TextRun('暂无')] }));
      continue;
    }
    children.push(
      new Table({
        width: { size: 100, type: WidthType.PERCENTAGE },
        rows: [new TableRow({ tableHeader: true, children: t.header.map((h) => cell(h, true)) }), ...t.rows.map((r) => new TableRow({ children: r.map((c) => cell(c)) }))],
      }),
    );
  }
  const doc = new Document({
    creator: 'Tongbu',
    title: reportTitle(d),
    styles: { default: { document: { run: { font: 'Noto Sans CJK SC' } } } },
    sections: [{ properties: { page: { size: { orientation: PageOrientation.LANDSCAPE } } }, children }],
  });
  return Packer.toBuffer(doc);
}
