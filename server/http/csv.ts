// Every CSV the product hands out goes through here (UTF-8 with BOM so Excel opens Chinese text
// correctly). A cell that begins with = + - @ (or a tab / CR, which Excel skips before them) is a
// formula to a spreadsheet: a note that reads `=HYPERLINK(…)` would run on the researcher's PC.
// papaparse's escapeFormulae prefixes such cells with ' (OWASP's CSV-injection advice); its
// default pattern ends in `.*$` without the s flag, so it misses a cell with a line break after
// the `=` — this pattern only looks at the first character.
import Papa from 'papaparse';

export const CSV_FORMULA_START = /^[=+\-@\t\r]/;

export function toCsv(rows: Record<string, unknown>[], opts: { columns?: string[] } = {}): string {
  return '\ufeff' + Papa.unparse(rows, { newline: '\r\n', columns: opts.columns, escapeFormulae: CSV_FORMULA_START });
}
