// An uploaded CSV or .xlsx → header + rows of cell text. CSV may be UTF-8 (with or without BOM),
// UTF-16 (Excel's "Unicode text") or GBK/GB18030 (Excel on Chinese Windows); anything else is refused
// with a message that says so, rather than imported as mojibake.
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import type { ImportResult, Msg } from '../contract/timetable.js';
import { formatHhmm } from '../contract/time.js';

export interface TableRow {
  /** 1-based, as the spreadsheet numbers it. */
  row: number;
  cells: string[];
}

export interface Table {
  headers: string[];
  headerRow: number;
  rows: TableRow[];
  encoding: ImportResult['encoding'];
}

export class FileError extends Error {
  constructor(readonly msg: Msg) {
    super(msg.en);
  }
}

export const MAX_ROWS = 5000;

/** More data rows than the caller's limit (an importer with its own limit tells it apart from other file errors). */
export class TooManyRows extends FileError {
  constructor(readonly max: number) {
    super({ zh: `行数太多（最多 ${max} 行）`, en: `Too many rows (at most ${max})` });
  }
}

export const UNREADABLE_XLSX: Msg = { zh: '无法读取这个 Excel 文件（文件损坏或不是 .xlsx）', en: 'Could not read this Excel file (damaged or not .xlsx)' };

const isZip = (b: Buffer) => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

export async function readTable(bytes: Buffer, hint?: 'csv' | 'xlsx', maxRows = MAX_ROWS): Promise<Table> {
  if (bytes.length === 0) throw new FileError({ zh: '文件是空的', en: 'The file is empty' });
  if (isZip(bytes)) return readXlsx(bytes, maxRows);
  if (hint === 'xlsx') throw new FileError({ zh: '这不是 .xlsx 文件（请在 Excel 中另存为 .xlsx）', en: 'This is not an .xlsx file (save it as .xlsx in Excel)' });
  if (bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0) {
    throw new FileError({ zh: '不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV', en: 'Old .xls files are not supported: save as .xlsx or CSV' });
  }
  const { text, encoding } = decodeText(bytes);
  return parseCsv(text, encoding, maxRows);
}

export function decodeText(bytes: Buffer): { text: string; encoding: 'utf-8' | 'gbk' } {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-8' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'utf-8' };
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), encoding: 'utf-8' };
  } catch {
    /* not UTF-8: the usual other one here is GBK */
  }
  try {
    const text = new TextDecoder('gb18030', { fatal: true }).decode(body);
    return { text, encoding: 'gbk' };
  } catch {
    throw new FileError({
      zh: '无法识别文件编码：既不是 UTF-8 也不是 GBK。请在 Excel 中“另存为 → CSV UTF-8”后再导入',
      en: 'Unknown file encoding: neither UTF-8 nor GBK. Save it from Excel as "CSV UTF-8" and import again',
    });
  }
}

function parseCsv(text: string, encoding: 'utf-8' | 'gbk', maxRows: number): Table {
  if (text.includes('\u0000')) {
    throw new FileError({ zh: '这不是文本文件（CSV）', en: 'This is not a text (CSV) file' });
  }
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: false, delimitersToGuess: [',', '\t', ';', '|'] });
  const all = parsed.data.map((cells, i) => ({ row: i + 1, cells: cells.map((c) => String(c ?? '').trim()) }));
  return toTable(all, encoding, maxRows);
}

async function readXlsx(bytes: Buffer, maxRows: number): Promise<Table> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    throw new FileError(UNREADABLE_XLSX);
  }
  const ws = wb.worksheets.find((w) => w.actualRowCount > 0) ?? wb.worksheets[0];
  if (!ws) throw new FileError({ zh: 'Excel 文件里没有工作表', en: 'The workbook has no worksheet' });
  const rows: TableRow[] = [];
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    if (rows.length > maxRows + 1) return;
    const cells: string[] = [];
    const n = row.cellCount;
    for (let c = 1; c <= n; c++) cells.push(cellText(row.getCell(c).value));
    rows.push({ row: rowNumber, cells });
  });
  return toTable(rows, 'xlsx', maxRows);
}

/** exceljs cell value → the text a person sees; times and dates in a fixed form. */
export function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) {
    // Excel keeps a time of day as a fraction of 1899-12-30; exceljs reads it as a UTC Date.
    if (v.getUTCFullYear() < 1901) return formatHhmm(v.getUTCHours() * 60 + v.getUTCMinutes() + (v.getUTCSeconds() >= 30 ? 1 : 0));
    return v.toISOString().slice(0, 10);
  }
  if (typeof v === 'object') {
    if ('richText' in v && Array.isArray(v.richText)) return v.richText.map((t) => t.text).join('').trim();
    if ('result' in v) return cellText((v as { result?: ExcelJS.CellValue }).result ?? null);
    if ('text' in v) return String((v as { text: unknown }).text).trim();
    if ('error' in v) return '';
  }
  return String(v).trim();
}

function toTable(all: TableRow[], encoding: Table['encoding'], maxRows: number): Table {
  const nonEmpty = all.filter((r) => r.cells.some((c) => c !== ''));
  const head = nonEmpty[0];
  if (!head) throw new FileError({ zh: '文件里没有数据', en: 'The file has no data' });
  const rows = nonEmpty.slice(1);
  if (rows.length > maxRows) throw new TooManyRows(maxRows);
  return { headers: head.cells.map((h) => h.replace(/^\uFEFF/, '').trim()), headerRow: head.row, rows, encoding };
}
