/**
 * Python's `shlex.shlex(text)` in its default, non-POSIX mode, which
 * supervisord uses to split `environment=` values (with `/.+-():` added to
 * the word characters) and `shlex.split` (POSIX mode) for `command=`.
 * Both are reproduced because their quirks decide what a value means.
 */

const WORD = /[A-Za-z0-9_]/;

/** Non-POSIX tokens: quoted strings keep their quotes, other punctuation is one token per character. */
export function shlexTokens(text: string, extraWordChars = ""): string[] {
  const isWord = (c: string) => WORD.test(c) || extraWordChars.includes(c);
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "#") {
      while (i < text.length && text[i] !== "\n") i++;
      continue;
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new Error("No closing quotation");
      tokens.push(text.slice(i, end + 1));
      i = end + 1;
      continue;
    }
    if (isWord(c)) {
      let j = i + 1;
      while (j < text.length && (isWord(text[j]) || text[j] === "'" || text[j] === '"')) j++;
      tokens.push(text.slice(i, j));
      i = j;
      continue;
    }
    tokens.push(c);
    i++;
  }
  return tokens;
}

/** `shlex.split(text)`: POSIX rules (quotes removed, backslash escapes, `#` is not a comment). */
export function shlexSplit(text: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      i++;
      continue;
    }
    inWord = true;
    if (c === "\\") {
      if (i + 1 >= text.length) throw new Error("No escaped character");
      word += text[i + 1];
      i += 2;
      continue;
    }
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error("No closing quotation");
      word += text.slice(i + 1, end);
      i = end + 1;
      continue;
    }
    if (c === '"') {
      i++;
      let closed = false;
      while (i < text.length) {
        const d = text[i];
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === "\\" && i + 1 < text.length && '\\"$`\n'.includes(text[i + 1])) {
          word += text[i + 1];
          i += 2;
          continue;
        }
        word += d;
        i++;
      }
      if (!closed) throw new Error("No closing quotation");
      continue;
    }
    word += c;
    i++;
  }
  if (inWord) words.push(word);
  return words;
}
