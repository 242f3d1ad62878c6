// The report's three document formats, as the document pool's workers call them
// (server/uploads/renderTask.ts): a community's report with a year of lessons is seconds of CPU
// (the CJK font's subsetting, docx's XML), which belongs to a worker, not the live lessons' loop.
import type { ReportData } from '../../contract/workspace/report.js';

export async function renderReportFile(data: ReportData, format: 'docx' | 'xlsx' | 'pdf'): Promise<Uint8Array> {
  if (format === 'docx') return (await import('./docx.js')).reportDocx(data);
  if (format === 'xlsx') return (await import('./xlsx.js')).reportXlsx(data);
  return (await import('./pdf.js')).reportPdf(data);
}
