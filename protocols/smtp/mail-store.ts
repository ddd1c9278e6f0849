/**
 * The mail store (`DATA/mail`) the SMTP server delivers into and the HTTP API and the test kit
 * read. Its durable part is an append log (mail-log.ts, in `DATA/mail/.log/`): a message is
 * acknowledged once a group-committed fdatasync covers it. An in-memory index (mail-index.ts)
 * answers list and get-by-id; a Maildir view (maildir-view.ts, `new/`) is written from the log
 * off the reply path for mail readers; compaction (log-space.ts) frees what deletes leave.
 * The envelope, when given, is kept in the message as `Return-Path:`/`Delivered-To:` trace
 * lines (envelope-headers.ts). See the SMTP README for what a 250 means.
 * @module
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Envelope, formatEnvelopeHeaders, parseEnvelopeHeaders } from './envelope-headers.js';
import { MAX_STORED_MESSAGES } from './limits.js';
import { type IndexEntry, LogIndex } from './log-index.js';
import { RecordType } from './log-record.js';
import { LogSpace } from './log-space.js';
import { CHUNK_BYTES, type DraftSink, MailDraft } from './mail-draft.js';
import { MailIndex } from './mail-index.js';
import { type Extent, type LogWriteIo, MailLog, type Recovery, SEGMENT_BYTES } from './mail-log.js';
import { type MailAttachment, type MessageDetails, parseMessage } from './mail-message.js';
import { type MailSummary, SUMMARY_HEAD_BYTES, summarize } from './mail-summary.js';
import { IDLE_MS, MaildirView } from './maildir-view.js';
import { ParseCache } from './parse-cache.js';

export type { Envelope } from './envelope-headers.js';
export { MailDraft } from './mail-draft.js';
export type { AttachmentInfo, MailAttachment } from './mail-message.js';
export type { MailSummary } from './mail-summary.js';

/** A parsed message (`GET /api/mail/:id`, where attachments are listed without their content). */
export interface StoredMail extends MailSummary {
  /** The display name of From, or "". */
  readonly fromName: string;
  readonly cc: string[];
  /** Envelope recipients named in neither To nor Cc. */
  readonly bcc: string[];
  readonly text: string | undefined;
  readonly html: string | undefined;
  readonly headers: Record<string, string>;
  /** Inline parts and attached files, in message order, each with its decoded content. */
  readonly attachments: MailAttachment[];
  /** The SMTP envelope as received (`mailFrom` "" for the null sender), when the server stored it. */
  readonly envelope: { readonly mailFrom: string; readonly rcptTo: string[] } | undefined;
}

export interface MailStoreEvents {
  message: [summary: MailSummary];
}

export interface MailStoreOptions {
  /** Messages kept; past it the oldest are removed first. Default {@link MAX_STORED_MESSAGES}. */
  readonly maxMessages?: number;
  /** Size at which the log begins a new segment; default {@link SEGMENT_BYTES} (16 MiB). */
  readonly segmentBytes?: number;
  /** For tests: the log's write and sync calls (to provoke a failing disk). */
  readonly io?: Partial<LogWriteIo>;
}

/** A parse {@link MailStore.get} keeps: the message's details and envelope. */
interface Parsed {
  readonly details: MessageDetails;
  readonly envelope: Envelope | undefined;
  /** The raw message's size. */
  readonly bytes: number;
}

/** Maildir ids are file names; nothing else may be used to reach a message. */
const ID_PATTERN = /^[0-9]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_.-]+$/;
/** The ids this store makes (`<ms>.P<pid>Q<n>R<random>.<host>`): files of ours in the Maildir. */
const OUR_ID = /^[0-9]+\.P[0-9]+Q[0-9]+R[a-z0-9]+\.[A-Za-z0-9_.-]+$/;

/** Files left in tmp/ by a crash are removed on init once this old (maildir(5) says 36 hours). */
export const STALE_TMP_MS = 36 * 3_600_000;

/** Maildir unique names end in the host name, without '/' or ':'. */
const HOST = os.hostname().replace(/[^A-Za-z0-9_.-]/g, '_') || 'localhost';

/** True when extent `a` lies before `b` in the log. */
function before(a: Extent, b: Extent): boolean {
  return a.segment < b.segment || (a.segment === b.segment && a.offset < b.offset);
}

export class MailStore extends EventEmitter<MailStoreEvents> implements DraftSink {
  readonly dir: string;
  readonly maxMessages: number;
  readonly #log: MailLog;
  readonly #index = new LogIndex();
  /** Display names, Cc, attachment counts and body text by id, for search and the console's list. */
  readonly index: MailIndex<MailSummary> = new MailIndex<MailSummary>({
    list: () => this.list(),
    raw: (id) => this.raw(id),
    envelope: parseEnvelopeHeaders,
  });
  readonly #space = new LogSpace();
  readonly #view: MaildirView;
  #ready: Promise<void> | undefined;
  #opened = false;
  #txn = 0;
  #deliveries = 0;
  #lastAppend = 0;
  /** Commits waiting for their fdatasync: deliveries are going on even if none began lately. */
  #committing = 0;
  /** Where the last clear record lies: commits before it are cleared. */
  #lastClear: Extent | undefined;
  #compactTimer: NodeJS.Timeout | undefined;
  /** Recent parses by id (see {@link get}). */
  readonly #parsed = new ParseCache<Parsed>((p) => p.bytes);
  /** What opening the log found (for diagnostics and tests). */
  recovery: Recovery | undefined;

  constructor(dir: string, options: MailStoreOptions = {}) {
    super();
    this.dir = path.resolve(dir);
    this.maxMessages = options.maxMessages ?? MAX_STORED_MESSAGES;
    this.#log = new MailLog(path.join(this.dir, '.log'), {
      segmentBytes: options.segmentBytes ?? SEGMENT_BYTES,
      ...(options.io ? { io: options.io } : {}),
    });
    this.#view = new MaildirView(this.dir, {
      read: (id) => this.#read(id),
      has: (id) => this.#index.get(id) !== undefined,
      idle: () => this.#idle(),
    });
  }

  /**
   * Opens the store (idempotent): creates the Maildir folders, reads the log into the index
   * (cutting off a torn tail), and writes every Maildir file that is missing, so after a crash
   * the Maildir is complete before the server accepts mail again.
   */
  init(): Promise<void> {
    this.#ready ??= this.#open();
    // A failed init (permissions...) may be retried by the next call.
    this.#ready.catch(() => {
      this.#ready = undefined;
    });
    return this.#ready;
  }

  async #open(): Promise<void> {
    for (const sub of ['tmp', 'new', 'cur']) await fs.mkdir(path.join(this.dir, sub), { recursive: true });
    await removeStaleTmp(path.join(this.dir, 'tmp'));
    this.recovery = await this.#recover();
    this.#opened = true;
    this.#enforceLimit();
    await this.#view.reconcile(
      [...this.#index.entries()].map((e) => [e.id, this.#sizeOf(e)] as [string, number]),
      (name) => OUR_ID.test(name),
    );
    this.#scheduleCompaction();
  }

  async #recover(): Promise<Recovery> {
    const arriving = new Map<number, { parts: Extent[]; head: Buffer | undefined }>();
    let clearSegment: number | undefined;
    const recovery = await this.#log.open((record) => {
      switch (record.type) {
        case RecordType.chunk: {
          const t = arriving.get(record.txn) ?? { parts: [], head: undefined };
          arriving.set(record.txn, t);
          t.parts.push(record.extent);
          t.head ??= Buffer.from(record.data.subarray(0, SUMMARY_HEAD_BYTES));
          break;
        }
        case RecordType.commit: {
          const t = arriving.get(record.txn);
          arriving.delete(record.txn);
          const parts = [...(t?.parts ?? []), record.extent];
          const existing = this.#index.get(record.key);
          if (existing) {
            // A copy compaction made: the message now lies here.
            this.#index.move(existing, parts);
            break;
          }
          const size = parts.reduce((n, p) => n + p.length, 0);
          const head = t?.head ?? record.data;
          this.#index.add(record.key, summarize(record.key, head, size, deliveredAt(record.key)), parts);
          break;
        }
        case RecordType.delete: {
          const entry = this.#index.delete(record.key);
          if (entry) this.#space.deleted(record.extent.segment, entry.id, entry.oldestSegment);
          break;
        }
        case RecordType.clear:
          this.#index.clear();
          arriving.clear();
          this.#space.cleared(record.extent.segment);
          clearSegment = record.extent.segment;
          break;
      }
    });
    this.#txn = recovery.lastTxn;
    // Compaction moves messages forward in the log: delivery order is the ids' order.
    this.#index.sort(compareIds);
    // Segments before the last clear hold nothing live: they go now, oldest first.
    if (clearSegment !== undefined) {
      const older = this.#log
        .segments()
        .map(([n]) => n)
        .filter((n) => n < (clearSegment as number));
      await this.#log.remove(older);
    }
    return recovery;
  }

  #sizeOf(entry: IndexEntry): number {
    return entry.parts.reduce((n, p) => n + p.length, 0);
  }

  /**
   * Begins a message that will arrive in pieces (the SMTP DATA path): write its bytes as they
   * come, then `commit()` (durable, resolves with the id) or `abandon()`. The store must be
   * open (`init()`). With an envelope, `Return-Path:`/`Delivered-To:` lines go in front.
   */
  begin(envelope?: Envelope): MailDraft {
    if (!this.#opened) throw new Error('mail store: init() first');
    // A message arriving is delivery activity: the Maildir view and compaction wait for a pause.
    this.#lastAppend = performance.now();
    return new MailDraft(this, ++this.#txn, envelope, envelope ? formatEnvelopeHeaders(envelope) : undefined);
  }

  /**
   * Stores one message durably and returns its id. Resolves only after an fdatasync covering it
   * has returned: a 250 may be said after this, never before.
   */
  async deliver(raw: Buffer, envelope?: Envelope): Promise<string> {
    await this.init();
    const draft = this.begin(envelope);
    for (let off = 0; off < raw.length; off += CHUNK_BYTES)
      await draft.write(raw.subarray(off, Math.min(raw.length, off + CHUNK_BYTES)));
    return draft.commit();
  }

  /** @internal DraftSink: a chunk of a message still arriving. */
  async chunk(txn: number, data: readonly Buffer[]): Promise<Extent> {
    this.#lastAppend = performance.now();
    const extent = await this.#log.append(RecordType.chunk, txn, '', data, false);
    this.#space.holding([extent], 1);
    return extent;
  }

  /** @internal DraftSink: the last part of a message, durably; then it is in the store. */
  async commit(draft: MailDraft, tail: readonly Buffer[]): Promise<string> {
    this.#lastAppend = performance.now();
    const id = `${Date.now()}.P${process.pid}Q${++this.#deliveries}R${Math.random().toString(36).slice(2, 8)}.${HOST}`;
    this.#committing++;
    let extent: Extent;
    try {
      extent = await this.#log.append(RecordType.commit, draft.txn, id, tail, true);
    } finally {
      this.#committing--;
      this.#lastAppend = performance.now();
    }
    this.#space.holding(draft.parts, -1);
    // A clear that came after this commit in the log and already ran has removed it already.
    if (this.#lastClear && before(extent, this.#lastClear)) return id;
    const parts = [...draft.parts, extent];
    const summary = summarize(id, draft.head, draft.size, Date.now(), draft.envelope);
    this.#index.add(id, summary, parts);
    this.#view.add(id);
    this.#enforceLimit();
    if (this.listenerCount('message') > 0) this.emit('message', summary);
    return id;
  }

  /** @internal DraftSink: a message that will not be committed. */
  abandon(draft: MailDraft): void {
    this.#space.holding(draft.parts, -1);
    if (draft.parts.length > 0) this.#scheduleCompaction();
  }

  /** Removes the oldest messages past {@link maxMessages}. */
  #enforceLimit(): void {
    while (this.#index.size > this.maxMessages) {
      const oldest = this.#index.oldest();
      if (!oldest) break;
      this.#forget(oldest.id);
      // Not awaited: a crash before it reaches the disk only means the limit is applied again on open.
      this.#log.append(RecordType.delete, 0, oldest.id, [], false).then(
        (extent) => this.#space.deleted(extent.segment, oldest.id, oldest.oldestSegment),
        () => {},
      );
    }
  }

  #forget(id: string): IndexEntry | undefined {
    const entry = this.#index.delete(id);
    if (entry) {
      this.#view.remove(id);
      this.index.forget(id);
      this.#parsed.drop(id);
      this.#scheduleCompaction();
    }
    return entry;
  }

  /** Every message, newest first. */
  async list(): Promise<MailSummary[]> {
    await this.init();
    return [...this.#index.list()];
  }

  /** The raw message, or undefined. */
  async raw(id: string): Promise<Buffer | undefined> {
    if (!ID_PATTERN.test(id)) return undefined;
    await this.init();
    return this.#read(id);
  }

  async #read(id: string): Promise<Buffer | undefined> {
    const entry = this.#index.get(id);
    if (!entry) return undefined;
    try {
      const parts = await Promise.all(entry.parts.map((p) => this.#log.read(p)));
      return parts.length === 1 ? parts[0] : Buffer.concat(parts);
    } catch {
      // Moved by compaction between the lookup and the read: read its new place.
      const again = this.#index.get(id);
      if (!again || again.parts === entry.parts) return undefined;
      return Buffer.concat(await Promise.all(again.parts.map((p) => this.#log.read(p))));
    }
  }

  /** The summary of one message (no parsing), or undefined. */
  async summary(id: string): Promise<MailSummary | undefined> {
    await this.init();
    return this.#index.get(id)?.summary;
  }

  /**
   * The parsed message, or undefined. A message read again soon (every waiter of
   * `waitForMessage` reads each new message) is parsed once (parse-cache.ts keeps the last
   * few). Each call gets its own object.
   */
  async get(id: string): Promise<StoredMail | undefined> {
    if (!ID_PATTERN.test(id)) return undefined;
    await this.init();
    const parsed = await this.#parsed.get(id, () => this.#parse(id));
    const summary = this.#index.get(id)?.summary;
    if (!parsed || !summary) return undefined;
    const { details, envelope } = parsed;
    return {
      ...summary,
      to: [...summary.to],
      fromName: details.fromName,
      cc: [...details.cc],
      bcc: [...details.bcc],
      text: details.text,
      html: details.html,
      headers: { ...details.headers },
      attachments: details.attachments.map((a) => ({ ...a })),
      envelope: envelope ? { mailFrom: envelope.mailFrom, rcptTo: [...envelope.rcptTo] } : undefined,
    };
  }

  async #parse(id: string): Promise<Parsed | undefined> {
    const raw = await this.#read(id);
    if (!raw) return undefined;
    const envelope = parseEnvelopeHeaders(raw);
    const details = await parseMessage(raw, envelope);
    this.index.remember(id, details);
    return { details, envelope, bytes: raw.length };
  }

  /** Deletes one message (durably); false when there was none. */
  async delete(id: string): Promise<boolean> {
    if (!ID_PATTERN.test(id)) return false;
    await this.init();
    const entry = this.#index.delete(id);
    if (!entry) return false;
    try {
      const extent = await this.#log.append(RecordType.delete, 0, id, [], true);
      this.#space.deleted(extent.segment, id, entry.oldestSegment);
    } catch (err) {
      this.#index.restore(entry);
      throw err;
    }
    this.#view.remove(id);
    this.index.forget(id);
    this.#parsed.drop(id);
    this.#scheduleCompaction();
    return true;
  }

  /** Deletes every message (durably); returns how many. The log's space is freed at once. */
  async clear(): Promise<number> {
    await this.init();
    const extent = await this.#log.append(RecordType.clear, 0, '', [], true);
    this.#lastClear = extent;
    this.#space.cleared(extent.segment);
    let n = 0;
    for (const entry of this.#index.clear()) {
      const last = entry.parts.at(-1);
      // A commit after the clear record (its sync came first) stays.
      if (last && !before(last, extent)) this.#index.restore(entry);
      else {
        this.index.forget(entry.id);
        this.#parsed.drop(entry.id);
        n++;
      }
    }
    await this.#view.clear();
    // Everything written so far is dead now: seal it, so whole segments can go.
    await this.#log.rotate();
    await this.#space.compact(this.#compactionHost(true));
    return n;
  }

  /** Resolves once the Maildir view (`new/`) holds every message stored so far. */
  async settled(): Promise<void> {
    await this.init();
    await this.#view.settle(true);
  }

  /** Resolves once compaction has freed what it can now (it runs by itself when deliveries pause). */
  async compacted(): Promise<void> {
    await this.init();
    await this.#space.compact(this.#compactionHost(true));
  }

  /**
   * Closes the log's descriptors once the writes queued now are done. The Maildir view stops
   * where it is; the next open completes it.
   */
  async close(): Promise<void> {
    if (!this.#opened) return;
    clearTimeout(this.#compactTimer);
    await this.#view.stop();
    await this.#log.close();
  }

  /**
   * Whether deliveries have paused: none began or was appended for {@link IDLE_MS} and none is
   * waiting for its sync. A sync can take longer than IDLE_MS on a slow disk; while every session
   * waits for it, nothing arrives, but the burst has not ended.
   */
  #idle(): boolean {
    return this.#committing === 0 && performance.now() - this.#lastAppend >= IDLE_MS;
  }

  #scheduleCompaction(): void {
    if (this.#compactTimer) return;
    this.#compactTimer = setTimeout(() => {
      this.#compactTimer = undefined;
      if (!this.#idle()) return this.#scheduleCompaction();
      void this.#space.compact(this.#compactionHost(false)).catch(() => {
        // Tried again on the next delete or open.
      });
    }, IDLE_MS * 10);
    this.#compactTimer.unref();
  }

  #compactionHost(now: boolean) {
    return {
      log: this.#log,
      index: this.#index,
      idle: () => now || this.#idle(),
      copyForward: (entry: IndexEntry) => this.#copyForward(entry),
    };
  }

  /** Writes a live message again at the end of the log (compaction), then points its entry there. */
  async #copyForward(entry: IndexEntry): Promise<void> {
    const txn = ++this.#txn;
    const chunks: Extent[] = [];
    const parts = entry.parts;
    for (let i = 0; i < parts.length - 1; i++) {
      chunks.push(await this.#log.append(RecordType.chunk, txn, '', [await this.#log.read(parts[i] as Extent)], false));
    }
    const lastPart = parts.at(-1);
    const tail = lastPart ? [await this.#log.read(lastPart)] : [];
    const last = await this.#log.append(RecordType.commit, txn, entry.id, tail, true);
    if (this.#index.get(entry.id) === entry) {
      this.#index.move(entry, [...chunks, last]);
    } else {
      // Deleted or cleared while being copied: the copy must not bring it back.
      const extent = await this.#log.append(RecordType.delete, 0, entry.id, [], true);
      this.#space.deleted(extent.segment, entry.id, entry.oldestSegment);
    }
  }
}

/** Delivery order of two ids: their time, then their sequence number within the process. */
function compareIds(a: string, b: string): number {
  const ta = deliveredAt(a);
  const tb = deliveredAt(b);
  if (ta !== tb) return ta - tb;
  const qa = Number(/Q(\d+)/.exec(a)?.[1] ?? 0);
  const qb = Number(/Q(\d+)/.exec(b)?.[1] ?? 0);
  return qa - qb || (a < b ? -1 : a > b ? 1 : 0);
}

function deliveredAt(id: string): number {
  const ms = Number(id.split('.')[0]);
  return Number.isFinite(ms) ? ms : Date.now();
}

async function removeStaleTmp(dir: string): Promise<void> {
  const now = Date.now();
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    const file = path.join(dir, name);
    // Maildir files the view was writing when the process ended, and folders a clear left.
    if (name.startsWith('.cleared-') || OUR_ID.test(name)) {
      await fs.rm(file, { recursive: true, force: true }).catch(() => {});
      continue;
    }
    const stat = await fs.stat(file).catch(() => undefined);
    if (stat?.isFile() && now - stat.mtimeMs > STALE_TMP_MS) await fs.rm(file, { force: true }).catch(() => {});
  }
}
