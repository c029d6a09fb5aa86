/** urllib.parse's quote / quote_plus / unquote, over UTF-8 bytes. */
const ALWAYS_SAFE = /[A-Za-z0-9_.\-~]/;

export function quote(text: string, safe = "/"): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const ch = String.fromCharCode(byte);
    if (byte < 0x80 && (ALWAYS_SAFE.test(ch) || safe.includes(ch))) out += ch;
    else out += "%" + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

export function quotePlus(text: string, safe = ""): string {
  if (!text.includes(" ")) return quote(text, safe);
  return quote(text, safe + " ").replaceAll(" ", "+");
}

export function unquote(text: string): string {
  const bytes: number[] = [];
  const chars = [...text];
  for (let i = 0; i < chars.length; i++) {
    const hex = (chars[i + 1] ?? "") + (chars[i + 2] ?? "");
    if (chars[i] === "%" && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(chars[i]!, "utf8"));
  }
  return new TextDecoder("utf-8").decode(Uint8Array.from(bytes));
}

export function unquotePlus(text: string): string {
  return unquote(text.replaceAll("+", " "));
}
