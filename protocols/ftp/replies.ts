/**
 * FTP reply formatting (pure). RFC 959 §4.2: a single-line reply is `CODE text`; a multi-line one
 * starts `CODE-first`, continues with lines that must not look like a final line (we indent them
 * with one space, as RFC 2389 FEAT and RFC 3659 MLST expect) and ends with `CODE last`.
 * @module
 */

/** What a command handler answers. `lines` has at least one element. */
export interface Reply {
  readonly code: number;
  readonly lines: readonly string[];
  /**
   * Middle lines go out as they are, not indented (STAT's `ls -l` lines, as pyftpdlib and vsftpd
   * send them); one that could pass for a reply line (`213 ...`) is still indented.
   */
  readonly raw?: boolean;
}

/** Makes a reply; several lines give a multi-line reply. */
export function reply(code: number, ...lines: string[]): Reply {
  return { code, lines: lines.length > 0 ? lines : [''] };
}

/** True for 1xx-3xx codes (positive preliminary, completion, intermediate). */
export function isPositive(code: number): boolean {
  return code >= 100 && code < 400;
}

/** Removes CR, LF and NUL so a text can never break the reply framing. */
function clean(text: string): string {
  return text.replace(/[\r\n\u0000]/g, ' ');
}

/**
 * Wire form of a reply with CRLF terminators. For multi-line replies the first line is
 * `CODE-text`, middle lines are indented by a space (or kept if they already start with one),
 * the last line is `CODE text`.
 */
export function formatReply(r: Reply): string {
  const lines = r.lines.map(clean);
  if (lines.length <= 1) return `${r.code} ${lines[0] ?? ''}\r\n`;
  const out: string[] = [`${r.code}-${lines[0]}`];
  for (let i = 1; i < lines.length - 1; i++) {
    const line = lines[i] ?? '';
    out.push(line.startsWith(' ') || (r.raw && !/^\d{3}[ -]/.test(line)) ? line : ` ${line}`);
  }
  out.push(`${r.code} ${lines[lines.length - 1]}`);
  return `${out.join('\r\n')}\r\n`;
}

/**
 * The one-line form of a reply for an exchange record: the code, then every line of the reply
 * joined with spaces, so a multi-line reply (FEAT, STAT, HELP) keeps all it said, as SMTP's EHLO does.
 */
export function summarizeReply(r: Reply): string {
  return `${r.code} ${r.lines
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ')}`.trim();
}

/** `257 "/a ""b"""`: RFC 959 Appendix II, a quote inside a path name is doubled. */
export function quotePath(p: string): string {
  return `"${p.replace(/"/g, '""')}"`;
}
