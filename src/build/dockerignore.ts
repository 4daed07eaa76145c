/**
 * .dockerignore as moby/patternmatcher reads and matches it (not .gitignore's rules): lines
 * trimmed, `#` comments only at a line's start, patterns path-cleaned with a leading `/`
 * dropped, `!` re-includes, `**` spans directories, and a path is excluded when it or one
 * of its parent directories matches the last pattern that decides it.
 */
import { posix } from 'node:path';

interface Pattern {
  text: string;
  exclusion: boolean;
  test: (p: string) => boolean;
}

/** Go's path.Clean. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  let c = posix.normalize(p);
  if (c.length > 1 && c.endsWith('/')) c = c.slice(0, -1);
  return c;
}

/** The lines of a .dockerignore file as patterns (ignorefile.ReadAll). */
export function readIgnoreFile(text: string): string[] {
  const out: string[] = [];
  if (text.startsWith('\ufeff')) text = text.slice(1);
  for (let line of text.split('\n')) {
    line = line.replace(/\r$/, '');
    if (line.startsWith('#')) continue;
    let p = line.trim();
    if (!p) continue;
    const invert = p[0] === '!';
    if (invert) p = p.slice(1).trim();
    if (p) {
      p = cleanPath(p);
      if (p.length > 1 && p[0] === '/') p = p.slice(1);
    }
    out.push(invert ? `!${p}` : p);
  }
  return out;
}

const ESCAPE = new Set(['.', '+', '(', ')', '|', '{', '}', '$', '^']);

function compile(pattern: string): (p: string) => boolean {
  let re = '^';
  let type: 'exact' | 'prefix' | 'suffix' | 'regexp' = 'exact';
  const chars = [...pattern];
  for (let i = 0, k = 0; k < chars.length; i++) {
    const ch = chars[k++];
    if (ch === '*') {
      if (chars[k] === '*') {
        k++;
        if (chars[k] === '/') k++;
        if (k >= chars.length) {
          if (type === 'exact') type = 'prefix';
          else {
            re += '.*';
            type = 'regexp';
          }
        } else {
          re += '(.*/)?';
          type = 'regexp';
        }
        if (i === 0) type = 'suffix';
      } else {
        re += '[^/]*';
        type = 'regexp';
      }
    } else if (ch === '?') {
      re += '[^/]';
      type = 'regexp';
    } else if (ESCAPE.has(ch)) {
      re += `\\${ch}`;
    } else if (ch === '\\') {
      if (k < chars.length) {
        const n = chars[k++];
        re += /[A-Za-z0-9]/.test(n) ? n : `\\${n}`;
        type = 'regexp';
      } else re += '\\\\';
    } else if (ch === '[' || ch === ']') {
      re += ch;
      type = 'regexp';
    } else re += ch;
  }
  switch (type) {
    case 'exact':
      return (p) => p === pattern;
    case 'prefix': {
      const pre = pattern.slice(0, -2);
      return (p) => p.startsWith(pre);
    }
    case 'suffix': {
      const suffix = pattern.slice(2);
      return (p) => p.endsWith(suffix) || (suffix[0] === '/' && p === suffix.slice(1));
    }
    default: {
      let rx: RegExp;
      try {
        rx = new RegExp(re + '$', 'u');
      } catch {
        throw new Error(`syntax error in pattern`);
      }
      return (p) => rx.test(p);
    }
  }
}

export class PatternMatcher {
  private readonly patterns: Pattern[] = [];
  readonly hasExclusions: boolean;

  constructor(patterns: readonly string[]) {
    for (let p of patterns) {
      p = p.trim();
      if (!p) continue;
      p = cleanPath(p);
      let exclusion = false;
      if (p[0] === '!') {
        if (p.length === 1) throw new Error('illegal exclusion pattern: "!"');
        exclusion = true;
        p = p.slice(1);
      }
      this.patterns.push({ text: p, exclusion, test: compile(p) });
    }
    this.hasExclusions = this.patterns.some((p) => p.exclusion);
  }

  /** Whether `file` (slash-separated, relative to the context) is excluded. */
  matches(file: string): boolean {
    let matched = false;
    const parent = posix.dirname(file);
    const dirs = parent.split('/');
    for (const pat of this.patterns) {
      if (pat.exclusion !== matched) continue;
      let m = pat.test(file);
      if (!m && parent !== '.') {
        for (let i = 0; i < dirs.length && !m; i++) m = pat.test(dirs.slice(0, i + 1).join('/'));
      }
      if (m) matched = !pat.exclusion;
    }
    return matched;
  }
}
