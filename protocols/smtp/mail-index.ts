/**
 * What search and the mail list need beyond a summary (display name, Cc, attachment count, the
 * body text), parsed once per message and kept by id: a delivered message never changes, so an
 * entry stays valid until the message is deleted. Entries of deleted messages are dropped by the
 * next search, which lists the store anyway.
 * @module
 */
import type { Envelope } from './envelope-headers.js';
import { type MessageDetails, parseMessage } from './mail-message.js';
import { matchesMailQuery, parseMailQuery, type SearchableMail } from './mail-query.js';

/** Body text kept per message for search; the rest of a long body is not searched. */
export const MAX_INDEXED_TEXT = 64 * 1024;

/** One message as the index keeps it. */
export interface IndexedMail {
  readonly fromName: string;
  readonly cc: string[];
  readonly bcc: string[];
  /** Files attached (inline images not counted). */
  readonly attachments: number;
  readonly searchable: SearchableMail;
}

/** What the index reads: the store's own list and raw/envelope access. */
export interface IndexSource<S extends { readonly id: string }> {
  list(): Promise<S[]>;
  raw(id: string): Promise<Buffer | undefined>;
  envelope(raw: Buffer): Envelope | undefined;
}

function lower(list: readonly string[]): string {
  return list.join(', ').toLowerCase();
}

/** The index entry of parsed details. */
export function indexEntry(details: MessageDetails): IndexedMail {
  return {
    fromName: details.fromName,
    cc: details.cc,
    bcc: details.bcc,
    attachments: details.attachments.filter((a) => !a.inline).length,
    searchable: {
      from: `${details.fromName} <${details.from}>`.toLowerCase(),
      to: lower(details.to),
      cc: lower(details.cc),
      bcc: lower(details.bcc),
      subject: details.subject.toLowerCase(),
      body: (details.text ?? '').slice(0, MAX_INDEXED_TEXT).toLowerCase(),
    },
  };
}

export class MailIndex<S extends { readonly id: string }> {
  #source: IndexSource<S>;
  #entries = new Map<string, IndexedMail>();
  /** Parses under way, so concurrent callers share one. */
  #pending = new Map<string, Promise<IndexedMail | undefined>>();

  constructor(source: IndexSource<S>) {
    this.#source = source;
  }

  /** The entry when it is already parsed (no I/O). */
  peek(id: string): IndexedMail | undefined {
    return this.#entries.get(id);
  }

  /** Remembers details parsed elsewhere (by `get`), so the index need not parse them again. */
  remember(id: string, details: MessageDetails): IndexedMail {
    const entry = indexEntry(details);
    this.#entries.set(id, entry);
    return entry;
  }

  /** The entry, parsing the message on first use; undefined when it is gone. */
  entry(id: string): Promise<IndexedMail | undefined> {
    const known = this.#entries.get(id);
    if (known) return Promise.resolve(known);
    let pending = this.#pending.get(id);
    if (!pending) {
      pending = (async () => {
        const raw = await this.#source.raw(id);
        if (!raw) return undefined;
        const details = await parseMessage(raw, this.#source.envelope(raw)).catch(() => undefined);
        return details ? this.remember(id, details) : undefined;
      })().finally(() => this.#pending.delete(id));
      this.#pending.set(id, pending);
    }
    return pending;
  }

  /** Forgets a deleted message. */
  forget(id: string): void {
    this.#entries.delete(id);
  }

  /** The listed messages (newest first, as the store lists them) matching `query` ({@link parseMailQuery}). */
  async search(query: string): Promise<S[]> {
    const list = await this.#source.list();
    const terms = parseMailQuery(query);
    if (terms.length === 0) return list;
    const live = new Set<string>();
    const out: S[] = [];
    for (const summary of list) {
      live.add(summary.id);
      const entry = await this.entry(summary.id);
      if (entry && matchesMailQuery(terms, entry.searchable)) out.push(summary);
    }
    for (const id of this.#entries.keys()) if (!live.has(id)) this.#entries.delete(id);
    return out;
  }
}
