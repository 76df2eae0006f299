// The recipe editor's colours and the line an invalid_recipe error names.

export const KEYWORDS = ['RUN', 'ENV', 'WORKDIR', 'USER', 'COPY', 'START'] as const;
export type Keyword = (typeof KEYWORDS)[number];

export interface Token {
  text: string;
  kind: 'keyword' | 'comment' | 'argument' | 'continuation' | 'unknown' | 'plain';
  keyword?: Keyword;
}

/**
 * One recipe line as coloured spans that, joined, give back the line exactly (the editor lays them under the
 * textarea, so a character out of place would misalign the caret). Continuation lines (after a trailing
 * backslash) are arguments of the instruction above.
 */
export function highlightLine(line: string, continued: boolean): Token[] {
  if (continued) {
    return [{ text: line, kind: 'continuation' }];
  }
  const match = /^(\s*)(\S+)(.*)$/.exec(line);
  if (!match) {
    return line ? [{ text: line, kind: 'plain' }] : [];
  }
  const [, indent, word, rest] = match;
  const tokens: Token[] = indent ? [{ text: indent, kind: 'plain' }] : [];
  if (word.startsWith('#')) {
    return [...tokens, { text: word + rest, kind: 'comment' }];
  }
  const upper = word.toUpperCase();
  if ((KEYWORDS as readonly string[]).includes(upper)) {
    tokens.push({ text: word, kind: 'keyword', keyword: upper as Keyword });
  } else {
    tokens.push({ text: word, kind: 'unknown' });
  }
  if (rest) {
    tokens.push({ text: rest, kind: 'argument' });
  }
  return tokens;
}

/** Every line of the text, each knowing whether the previous one continued into it. */
export function highlight(text: string): Token[][] {
  let continued = false;
  return text.split('\n').map((line) => {
    const tokens = highlightLine(line, continued);
    continued = /\\\s*$/.test(line) && !line.trimStart().startsWith('#');
    return tokens;
  });
}

/**
 * The recipe as the API takes it: one instruction per entry, blank lines and # comments left out, a trailing
 * backslash joining the next line (as the CLI's recipe files read). `lines[i]` is the editor line entry i began on.
 */
export function toInstructions(text: string): { instructions: string[]; lines: number[] } {
  const instructions: string[] = [];
  const lines: number[] = [];
  let pending: string | null = null;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trimEnd();
    if (pending === null && (line.trim() === '' || line.trimStart().startsWith('#'))) {
      return;
    }
    const joined: string = pending === null ? line.trim() : `${pending} ${line.trim()}`;
    if (pending === null) {
      lines.push(index + 1);
    }
    if (joined.endsWith('\\')) {
      pending = joined.slice(0, -1).trimEnd();
      return;
    }
    pending = null;
    instructions.push(joined);
  });
  if (pending !== null) {
    instructions.push(pending);
  }
  return { instructions, lines };
}

/**
 * The editor line an invalid_recipe message is about, or null when it names none (an empty recipe, the
 * healthcheck). The API numbers the recipe's entries from 1 ("line 3: ..."); `lines` maps them to editor lines.
 */
export function errorLine(message: string, lines: number[]): number | null {
  const match = /\bline (\d+)\b/i.exec(message);
  if (!match) {
    return null;
  }
  const entry = Number(match[1]);
  return lines[entry - 1] ?? null;
}
