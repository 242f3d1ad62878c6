// PDF export with pdfkit and Debian's Noto Sans CJK (fonts-noto-cjk), so Chinese renders.
import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { AppError } from '../contract/errors.js';
import { plainText, type PmNode } from './pmSchema.js';

const FONT_DIR = '/usr/share/fonts/opentype/noto';
const REGULAR = { file: `${FONT_DIR}/NotoSansCJK-Regular.ttc`, family: 'NotoSansCJKsc-Regular' };
const BOLD = { file: `${FONT_DIR}/NotoSansCJK-Bold.ttc`, family: 'NotoSansCJKsc-Bold' };
const SIZES: Record<number, number> = { 1: 20, 2: 16, 3: 13.5, 4: 12, 5: 11, 6: 11 };
const BODY = 10.5;

export function docToPdf(doc: PmNode, title: string): Promise<Buffer> {
  if (!existsSync(REGULAR.file)) throw new AppError('UNAVAILABLE', 'the CJK font (Debian package fonts-noto-cjk) is not installed');
  const pdf = new PDFDocument({ size: 'A4', margin: 56, info: { Title: title, Creator: 'Tongbu 同步课堂' } });
  pdf.registerFont('body', REGULAR.file, REGULAR.family);
  pdf.registerFont('bold', existsSync(BOLD.file) ? BOLD.file : REGULAR.file, existsSync(BOLD.file) ? BOLD.family : REGULAR.family);
  const chunks: Buffer[] = [];
  pdf.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  const left = pdf.page.margins.left;
  const width = () => pdf.page.width - pdf.page.margins.left - pdf.page.margins.right;

  const writeInline = (n: PmNode, indent: number, prefix = '') => {
    const parts = (n.content ?? []).filter((c) => c.type === 'text' || c.type === 'hardBreak');
    const x = left + indent;
    const w = width() - indent;
    if (!parts.length) {
      pdf.font('body').fontSize(BODY).text(prefix || ' ', x, undefined, { width: w });
      return;
    }
    if (prefix) pdf.font('body').fontSize(BODY).text(prefix, x, undefined, { continued: true, width: w });
    parts.forEach((p, i) => {
      const bold = p.marks?.some((m) => m.type === 'bold');
      const t = p.type === 'hardBreak' ? '\n' : (p.text ?? '');
      pdf.font(bold ? 'bold' : 'body').fontSize(BODY);
      pdf.text(t, i === 0 && !prefix ? x : undefined, undefined, {
        continued: i < parts.length - 1,
        width: w,
        underline: p.marks?.some((m) => m.type === 'underline'),
        strike: p.marks?.some((m) => m.type === 'strike'),
      });
    });
  };

  const table = (t: PmNode, indent: number) => {
    const rows = t.content ?? [];
    const cols = Math.max(1, ...rows.map((r) => (r.content ?? []).reduce((n, c) => n + Number(c.attrs?.colspan ?? 1), 0)));
    const colW = (width() - indent) / cols;
    pdf.moveDown(0.3);
    for (const r of rows) {
      const cells = r.content ?? [];
      const texts = cells.map((c) => (c.content ?? []).map(plainText).join('\n'));
      pdf.fontSize(BODY);
      const h =
        Math.max(
          ...cells.map((c, i) => {
            pdf.font(c.type === 'tableHeader' ? 'bold' : 'body');
            return pdf.heightOfString(texts[i] || ' ', { width: colW * Number(c.attrs?.colspan ?? 1) - 8 });
          }),
          BODY,
        ) + 8;
      if (pdf.y + h > pdf.page.height - pdf.page.margins.bottom) pdf.addPage();
      const y = pdf.y;
      let x = left + indent;
      cells.forEach((c, i) => {
        const w = colW * Number(c.attrs?.colspan ?? 1);
        pdf.rect(x, y, w, h).lineWidth(0.5).stroke('#888888');
        pdf.font(c.type === 'tableHeader' ? 'bold' : 'body').fontSize(BODY).fillColor('black');
        pdf.text(texts[i] || '', x + 4, y + 4, { width: w - 8 });
        x += w;
      });
      pdf.x = left;
      pdf.y = y + h;
    }
    pdf.moveDown(0.5);
  };

  const walk = (nodes: PmNode[] | undefined, indent: number, list?: { ordered: boolean }) => {
    for (const n of nodes ?? []) {
      switch (n.type) {
        case 'heading': {
          const level = Number(n.attrs?.level ?? 1);
          pdf.moveDown(level <= 2 ? 0.6 : 0.3);
          pdf.font('bold').fontSize(SIZES[level] ?? BODY).text(plainText(n), left + indent, undefined, { width: width() - indent });
          pdf.moveDown(0.2);
          break;
        }
        case 'paragraph':
        case 'codeBlock':
          writeInline(n, indent);
          pdf.moveDown(0.25);
          break;
        case 'bulletList':
        case 'orderedList':
          (n.content ?? []).forEach((item, i) => {
            const [first, ...rest] = item.content ?? [];
            const mark = n.type === 'orderedList' ? `${Number(n.attrs?.start ?? 1) + i}. ` : '• ';
            if (first?.type === 'paragraph') writeInline(first, indent + 14, mark);
            else walk(first ? [first] : [], indent + 14);
            walk(rest, indent + 14, { ordered: n.type === 'orderedList' });
          });
          pdf.moveDown(0.25);
          break;
        case 'table':
          table(n, indent);
          break;
        case 'horizontalRule':
          pdf.moveTo(left, pdf.y).lineTo(left + width(), pdf.y).stroke('#999999');
          pdf.moveDown(0.5);
          break;
        default:
          walk(n.content, indent + (n.type === 'blockquote' ? 14 : 0), list);
      }
    }
  };
  walk(doc.content, 0);
  pdf.end();
  return done;
}
