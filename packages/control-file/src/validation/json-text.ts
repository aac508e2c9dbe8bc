import { findJsonErrorOffset } from './json-locate.js';

/** JSON.parse with the error located by line and column, for messages people can act on. */
export type JsonTextResult = { ok: true; value: unknown } | { ok: false; message: string };

export function parseJsonText(input: string | Uint8Array): JsonTextResult {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      return { ok: false, message: 'the file is not valid UTF-8' };
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a BOM is not JSON, but editors add it
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, message: withPosition((err as Error).message, text) };
  }
}

/** V8 reports `… at position N` (and newer versions add line/column); add line and column when missing. */
export function withPosition(message: string, text: string): string {
  if (/line \d+ column \d+/.test(message)) return message;
  const m = /at position (\d+)/.exec(message);
  const pos = m ? Number(m[1]) : findJsonErrorOffset(text);
  const { line, column } = lineColumn(text, pos);
  return `${message} (line ${line}, column ${column})`;
}

export function lineColumn(text: string, pos: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < pos; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: pos - lineStart + 1 };
}
