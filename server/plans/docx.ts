// .docx in and out. Import: mammoth → HTML → ProseMirror JSON. Export: the docx package,
// with Word's built-in heading styles (so mammoth and Word read headings back as headings),
// real numbered/bulleted lists, tables, and an East Asian font for Chinese text.
import mammoth from 'mammoth';
import {
  AlignmentType,
  BorderStyle,
  Document,
  ExternalHyperlink,
  HeadingLevel,
  LevelFormat,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
  type ParagraphChild,
} from 'docx';
import { AppError } from '../contract/errors.js';
import { htmlToDoc } from './html.js';
import { planSchema, type PmNode } from './pmSchema.js';

export async function docxToDoc(buffer: Buffer): Promise<{ doc: PmNode; warnings: string[] }> {
  let html: string;
  let messages: { message: string }[];
  try {
    // Images are dropped by html.ts anyway; not converting them spares reading their bytes.
    const r = await mammoth.convertToHtml({ buffer }, { ignoreEmptyParagraphs: true, convertImage: mammoth.images.imgElement(async () => ({ src: '' })) });
    html = r.value;
    messages = r.messages;
  } catch {
    throw new AppError('BAD_REQUEST', 'the file is not a readable .docx');
  }
  const doc = htmlToDoc(html);
  try {
    planSchema.nodeFromJSON(doc).check();
  } catch (err) {
    throw new AppError('BAD_REQUEST', `the document could not be converted: ${String((err as Error).message).slice(0, 120)}`);
  }
  return { doc, warnings: messages.map((m) => m.message).slice(0, 20) };
}

const HEADINGS = [HeadingLevel.HEADING_1, HeadingLevel.HEADING_2, HeadingLevel.HEADING_3, HeadingLevel.HEADING_4, HeadingLevel.HEADING_5, HeadingLevel.HEADING_6];

function runs(nodes: PmNode[] | undefined): ParagraphChild[] {
  const out: ParagraphChild[] = [];
  for (const n of nodes ?? []) {
    if (n.type === 'hardBreak') {
      out.push(new TextRun({ text: '', break: 1 }));
      continue;
    }
    if (n.type !== 'text' || !n.text) continue;
    const has = (t: string) => n.marks?.some((m) => m.type === t) ?? false;
    const run = new TextRun({
      text: n.text,
      bold: has('bold') || undefined,
      italics: has('italic') || undefined,
      underline: has('underline') ? {} : undefined,
      strike: has('strike') || undefined,
      font: has('code') ? 'Consolas' : undefined,
      style: n.marks?.some((m) => m.type === 'link') ? 'Hyperlink' : undefined,
    });
    const link = n.marks?.find((m) => m.type === 'link');
    out.push(link ? new ExternalHyperlink({ link: String(link.attrs?.href ?? ''), children: [run] }) : run);
  }
  return out;
}

type Block = Paragraph | Table;

interface ListCtx {
  kind: 'bullet' | 'ordered';
  level: number;
  instance: number;
  /** Past the item's first paragraph: indented, no second bullet. */
  continued?: boolean;
}

function toBlocks(nodes: PmNode[] | undefined, list?: ListCtx): Block[] {
  const out: Block[] = [];
  for (const n of nodes ?? []) {
    switch (n.type) {
      case 'heading':
        out.push(new Paragraph({ heading: HEADINGS[Math.min(6, Math.max(1, Number(n.attrs?.level ?? 1))) - 1], children: runs(n.content) }));
        break;
      case 'paragraph':
      case 'codeBlock':
        out.push(
          new Paragraph({
            children: runs(n.content),
            ...(list?.continued
              ? { indent: { left: 720 * (list.level + 1) } }
              : list
              ? list.kind === 'bullet'
                ? { bullet: { level: list.level } }
                : { numbering: { reference: 'plan-ordered', level: list.level, instance: list.instance } }
              : {}),
          }),
        );
        // Only the first paragraph of a list item carries the bullet.
        if (list) list = { ...list, continued: true };
        break;
      case 'bulletList':
      case 'orderedList': {
        const level = list ? Math.min(list.level + 1, 8) : 0;
        const instance = ++listInstance;
        for (const item of n.content ?? []) {
          out.push(...toBlocks(item.content, { kind: n.type === 'bulletList' ? 'bullet' : 'ordered', level, instance }));
        }
        break;
      }
      case 'blockquote':
        out.push(...toBlocks(n.content, list));
        break;
      case 'horizontalRule':
        out.push(new Paragraph({ border: { bottom: { style: BorderStyle.SINGLE, size: 6, color: '999999', space: 1 } }, children: [] }));
        break;
      case 'table':
        out.push(tableOf(n));
        break;
      default:
        if (n.content) out.push(...toBlocks(n.content, list));
    }
  }
  return out;
}

let listInstance = 0;

function tableOf(n: PmNode): Table {
  const rows = (n.content ?? []).map(
    (r) =>
      new TableRow({
        children: (r.content ?? []).map((c) => {
          const children = toBlocks(c.content);
          return new TableCell({
            columnSpan: Number(c.attrs?.colspan ?? 1) > 1 ? Number(c.attrs?.colspan) : undefined,
            rowSpan: Number(c.attrs?.rowspan ?? 1) > 1 ? Number(c.attrs?.rowspan) : undefined,
            children: children.length ? children : [new Paragraph({ children: [] })],
          });
        }),
      }),
  );
  return new Table({ rows, width: { size: 100, type: WidthType.PERCENTAGE } });
}

export async function docToDocx(doc: PmNode, title: string): Promise<Buffer> {
  const document = new Document({
    title,
    creator: 'Tongbu 同步课堂',
    styles: {
      default: {
        document: { run: { font: { ascii: 'Calibri', hAnsi: 'Calibri', eastAsia: 'SimSun' }, size: 22 } },
      },
    },
    numbering: {
      config: [
        {
          reference: 'plan-ordered',
          levels: Array.from({ length: 9 }, (_, level) => ({
            level,
            format: [LevelFormat.DECIMAL, LevelFormat.LOWER_LETTER, LevelFormat.LOWER_ROMAN][level % 3],
            text: `%${level + 1}.`,
            alignment: AlignmentType.START,
            style: { paragraph: { indent: { left: 720 * (level + 1), hanging: 360 } } },
          })),
        },
      ],
    },
    sections: [{ children: toBlocks(doc.content) }],
  });
  return Packer.toBuffer(document);
}
