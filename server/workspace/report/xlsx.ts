// The report as .xlsx for the bureau's tables: one sheet per table, numbers as numbers (the
// bureau sums them), a title row above the header.
import ExcelJS from 'exceljs';
import type { ReportData } from '../../contract/workspace/report.js';
import { reportSummary, reportTables, reportTitle } from './tables.js';

export async function reportXlsx(d: ReportData): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'Tongbu';
  book.created = new Date(d.generatedAt);
  const summary = book.addWorksheet('summary');
  summary.addRow([reportTitle(d)]).font = { bold: true, size: 14 };
  for (const line of reportSummary(d)) summary.addRow([line]);
  summary.getColumn(1).width = 100;
  for (const t of reportTables(d)) {
    const sheet = book.addWorksheet(t.key);
    sheet.addRow([t.title]).font = { bold: true };
    sheet.addRow(t.header).font = { bold: true };
    for (const r of t.rows) sheet.addRow(r);
    sheet.views = [{ state: 'frozen', ySplit: 2 }];
    t.header.forEach((h, i) => (sheet.getColumn(i + 1).width = Math.max(8, Math.min(40, h.length * 2 + 4))));
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}
