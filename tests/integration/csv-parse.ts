/**
 * A small RFC 4180 parser for the tests: fields separated by commas, records by CRLF (a lone LF
 * is accepted too), a quoted field may hold commas, CR, LF and doubled quotes. Throws on a stray
 * quote inside an unquoted field or an unterminated quoted field.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  const n = text.length;
  if (n === 0) return rows;
  for (;;) {
    let field = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= n) throw new Error("unterminated quoted field");
        const c = text[i]!;
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += c;
        i++;
      }
      if (i < n && text[i] !== "," && text[i] !== "\r" && text[i] !== "\n") throw new Error(`unexpected ${JSON.stringify(text[i])} after a quoted field at ${i}`);
    } else {
      while (i < n && text[i] !== "," && text[i] !== "\r" && text[i] !== "\n") {
        if (text[i] === '"') throw new Error(`stray quote in an unquoted field at ${i}`);
        field += text[i];
        i++;
      }
    }
    row.push(field);
    if (i >= n) {
      rows.push(row);
      return rows;
    }
    if (text[i] === ",") {
      i++;
      continue;
    }
    // end of record
    if (text[i] === "\r" && text[i + 1] === "\n") i += 2;
    else i++;
    rows.push(row);
    row = [];
    if (i >= n) return rows;
  }
}
