/**
 * The mail search syntax, shared by `GET /api/mail?q=` and the test kit
 * (`suite.smtp.messages({ query })`): words and "quoted phrases", all of which must match,
 * case-insensitively, as substrings. A bare term looks in from (name and address), to, cc,
 * subject and the body text; `from:`, `to:` (To, Cc and Bcc), `cc:`, `subject:` and `body:`
 * narrow a term to one field; a leading `-` excludes messages that match the term.
 * @module
 */

/** The fields a term can be narrowed to. */
export const QUERY_FIELDS = ['from', 'to', 'cc', 'subject', 'body'] as const;
export type QueryField = (typeof QUERY_FIELDS)[number];

/** One term of a parsed query. */
export interface QueryTerm {
  /** Lower-case text to look for. */
  readonly text: string;
  /** The field, or undefined for any of them. */
  readonly field: QueryField | undefined;
  /** True for `-term`: the message must not match. */
  readonly negated: boolean;
}

/** The searchable text of one message, every field already lower-case. */
export interface SearchableMail {
  /** Display name and address: `alice example <alice@example.test>`. */
  readonly from: string;
  readonly to: string;
  readonly cc: string;
  readonly bcc: string;
  readonly subject: string;
  /** The body as text (the text part, or the HTML part's text). */
  readonly body: string;
}

/** Longest query accepted; a longer one is cut (queries are typed by people). */
export const MAX_QUERY_LENGTH = 1_000;

/** Splits a query into terms; an empty or blank query has none (and matches everything). */
export function parseMailQuery(query: string): QueryTerm[] {
  const terms: QueryTerm[] = [];
  // A term: optional '-', optional 'field:', then a "quoted phrase" (closing quote optional) or a word.
  const pattern = /(-?)(?:([A-Za-z]+):)?(?:"([^"]*)"?|(\S+))/g;
  for (const m of query.slice(0, MAX_QUERY_LENGTH).matchAll(pattern)) {
    const [, minus, name, phrase, word] = m;
    const field = name?.toLowerCase();
    const known = field !== undefined && (QUERY_FIELDS as readonly string[]).includes(field);
    // An unknown prefix ("http:", "re:") is part of the word, not a field.
    const text = known
      ? (phrase ?? word ?? '')
      : name !== undefined
        ? `${name}:${phrase ?? word ?? ''}`
        : (phrase ?? word ?? '');
    if (text === '') continue;
    terms.push({ text: text.toLowerCase(), field: known ? (field as QueryField) : undefined, negated: minus === '-' });
  }
  return terms;
}

function termMatches(term: QueryTerm, mail: SearchableMail): boolean {
  switch (term.field) {
    case 'from':
      return mail.from.includes(term.text);
    case 'to':
      return mail.to.includes(term.text) || mail.cc.includes(term.text) || mail.bcc.includes(term.text);
    case 'cc':
      return mail.cc.includes(term.text);
    case 'subject':
      return mail.subject.includes(term.text);
    case 'body':
      return mail.body.includes(term.text);
    case undefined:
      return (
        mail.from.includes(term.text) ||
        mail.to.includes(term.text) ||
        mail.cc.includes(term.text) ||
        mail.subject.includes(term.text) ||
        mail.body.includes(term.text)
      );
  }
}

/** True when the message satisfies every term. */
export function matchesMailQuery(terms: readonly QueryTerm[], mail: SearchableMail): boolean {
  return terms.every((term) => termMatches(term, mail) !== term.negated);
}
