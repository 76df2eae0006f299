import { describe, expect, it } from 'vitest';
import { errorLine, highlight, highlightLine, toInstructions } from './recipe';

describe('highlightLine', () => {
  it('colours each instruction keyword and keeps the line text exact', () => {
    for (const keyword of ['RUN', 'ENV', 'WORKDIR', 'USER', 'COPY', 'START']) {
      const line = `  ${keyword} some args`;
      const tokens = highlightLine(line, false);
      expect(tokens.map((t) => t.text).join('')).toBe(line);
      expect(tokens.find((t) => t.kind === 'keyword')?.keyword).toBe(keyword);
    }
  });

  it('marks comments and unknown instructions', () => {
    expect(highlightLine('# note RUN', false)).toEqual([{ text: '# note RUN', kind: 'comment' }]);
    expect(highlightLine('FROM debian', false)[0]).toEqual({ text: 'FROM', kind: 'unknown' });
  });

  it('accepts lowercase keywords as the API does', () => {
    expect(highlightLine('run true', false)[0]).toMatchObject({ kind: 'keyword', keyword: 'RUN' });
  });
});

describe('highlight', () => {
  it('treats the line after a trailing backslash as a continuation', () => {
    const lines = highlight('RUN apt-get install \\\n  curl\nENV A=1');
    expect(lines[1]).toEqual([{ text: '  curl', kind: 'continuation' }]);
    expect(lines[2][0]).toMatchObject({ kind: 'keyword', keyword: 'ENV' });
  });
});

describe('toInstructions and errorLine', () => {
  it('skips blanks and comments, joins continued lines, and maps API line numbers back to editor lines', () => {
    const { instructions, lines } = toInstructions('# base\n\nRUN apt-get install \\\n  curl\nBOGUS x\n');
    expect(instructions).toEqual(['RUN apt-get install curl', 'BOGUS x']);
    expect(lines).toEqual([3, 5]);
    expect(errorLine('recipe line 2: unknown instruction BOGUS', lines)).toBe(5);
    expect(errorLine('recipe has no steps', lines)).toBeNull();
  });
});
