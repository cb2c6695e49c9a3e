/**
 * RFC 4180 CSV, safe to open in a spreadsheet. Text cells that a spreadsheet would run as a
 * formula (starting with = + - @, or a tab or carriage return that hides one) get a leading `'`
 * (OWASP's "CSV injection" advice); numbers are written as they are. A cell with a comma, quote or
 * line break is quoted, its quotes doubled.
 */
export type CsvCell = string | number | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV record with its CRLF line ending. */
export function csvRow(cells: readonly CsvCell[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
