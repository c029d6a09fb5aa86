/** POSIX shell quoting and splitting, with Python's shlex rules. */

const UNSAFE = /[^\w@%+=:,./-]/;

/** shlex.quote: unchanged when only safe ASCII characters, else single-quoted. */
export function shellQuote(text: string): string {
  if (text === "") return "''";
  if (!UNSAFE.test(text)) return text;
  return "'" + text.replaceAll("'", `'"'"'`) + "'";
}

/**
 * shlex.split (POSIX mode, comments off): whitespace separates words;
 * single quotes keep everything; inside double quotes a backslash escapes
 * only `\` and `"`; a bare backslash escapes the next character. Unbalanced quotes are an error.
 */
export function shellSplit(text: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error(`No closing quotation in ${JSON.stringify(text)}`);
      word += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      let closed = false;
      while (i < text.length) {
        const d = text[i]!;
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === "\\" && i + 1 < text.length && '\\"'.includes(text[i + 1]!)) {
          word += text[i + 1];
          i += 2;
          continue;
        }
        word += d;
        i++;
      }
      if (!closed) throw new Error(`No closing quotation in ${JSON.stringify(text)}`);
      inWord = true;
    } else if (c === "\\") {
      if (i + 1 >= text.length) throw new Error(`No escaped character in ${JSON.stringify(text)}`);
      word += text[i + 1];
      inWord = true;
      i += 2;
    } else if (" \t\r\n".includes(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      i++;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}
