/**
 * The mail store: a Maildir (`DATA/mail`) that the SMTP server delivers into and the HTTP API
 * and the test kit read. Delivery is durable before it returns: write to `tmp/`, fsync, rename
 * into `new/`, fsync the folder (the Maildir protocol; see maildir(5)). The envelope, when given,
 * is kept in the message as `Return-Path:`/`Delivered-To:` trace lines (see envelope-headers.ts).
 * @module
 */
import { EventEmitter } from 'node:events';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type AddressObject, simpleParser } from 'mailparser';
import { type Envelope, formatEnvelopeHeaders, parseEnvelopeHeaders } from './envelope-headers.js';
import { MailIndex } from './mail-index.js';
import { type MailAttachment, parseMessage } from './mail-message.js';

/** One line of the mail list (`GET /api/mail`). */
export interface MailSummary {
  readonly id: string;
  /** The From address (the envelope's MAIL FROM when the headers name none). */
  readonly from: string;
  /** The To addresses (the envelope's recipients when neither To nor Cc names any). */
  readonly to: string[];
  readonly subject: string;
  /** ISO 8601: the Date header, or the delivery time when it has none. */
  readonly date: string;
  readonly size: number;
}

export type { AttachmentInfo, MailAttachment } from './mail-message.js';

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

export type { Envelope } from './envelope-headers.js';

export interface MailStoreEvents {
  message: [summary: MailSummary];
}

/** Maildir ids are file names; nothing else may be used to reach a file. */
const ID_PATTERN = /^[0-9]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_.-]+$/;

const openAsync = promisify(fsSync.open);
const fdatasyncAsync = promisify(fsSync.fdatasync);
const fsyncAsync = promisify(fsSync.fsync);

/** Files left in tmp/ by a crash are removed on init once this old (maildir(5) says 36 hours). */
export const STALE_TMP_MS = 36 * 3_600_000;

let deliveries = 0;

/** Maildir unique names end in the host name, without '/' or ':'. */
const HOST = os.hostname().replace(/[^A-Za-z0-9_.-]/g, '_') || 'localhost';

function addressList(value: AddressObject | AddressObject[] | undefined): string[] {
  if (!value) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.flatMap((a) => a.value.map((v) => v.address ?? v.name ?? '')).filter((s) => s !== '');
}

/**
 * A Maildir with a small summary cache (messages never change once delivered, so a parsed
 * summary stays valid until the file is deleted).
 */
export class MailStore extends EventEmitter<MailStoreEvents> {
  readonly dir: string;
  /** Display names, Cc, attachment counts and body text by id, for search and the console's list. */
  readonly index: MailIndex<MailSummary> = new MailIndex<MailSummary>({
    list: () => this.list(),
    raw: (id) => this.raw(id),
    envelope: parseEnvelopeHeaders,
  });
  #ready: Promise<void> | undefined;
  #summaries = new Map<string, MailSummary>();
  #newDir: DirSyncer;

  constructor(dir: string) {
    super();
    this.dir = path.resolve(dir);
    this.#newDir = new DirSyncer(path.join(this.dir, 'new'));
  }

  /** Creates tmp/, new/ and cur/ and removes stale tmp/ files (idempotent). */
  init(): Promise<void> {
    this.#ready ??= (async () => {
      for (const sub of ['tmp', 'new', 'cur']) await fs.mkdir(path.join(this.dir, sub), { recursive: true });
      await removeStaleTmp(path.join(this.dir, 'tmp'));
    })();
    // A failed init (permissions...) may be retried by the next call.
    this.#ready.catch(() => {
      this.#ready = undefined;
    });
    return this.#ready;
  }

  /**
   * Stores one message durably and returns its id. Resolves only after the data and the rename
   * are on disk: a 250 may be said after this, never before. With an envelope, `Return-Path:` and
   * `Delivered-To:` lines are put in front of the message (as final delivery does).
   */
  async deliver(raw: Buffer, envelope?: Envelope): Promise<string> {
    await this.init();
    const id = `${Date.now()}.P${process.pid}Q${++deliveries}R${Math.random().toString(36).slice(2, 8)}.${HOST}`;
    const data = envelope ? Buffer.concat([formatEnvelopeHeaders(envelope), raw]) : raw;
    const tmp = path.join(this.dir, 'tmp', id);
    // Only the slow steps (creating the inode, fdatasync) go to the thread pool; writing to the page
    // cache, closing and renaming are cheaper done at once than dispatched (see README, benchmark).
    try {
      const fd = await openAsync(tmp, 'wx', 0o644);
      try {
        for (let off = 0; off < data.length; ) off += fsSync.writeSync(fd, data, off, data.length - off);
        // fdatasync: the data and the size are on disk before the rename publishes the file.
        await fdatasyncAsync(fd);
      } finally {
        fsSync.closeSync(fd);
      }
      fsSync.renameSync(tmp, path.join(this.dir, 'new', id));
    } catch (err) {
      // Nothing half-written may stay behind (ENOSPC, EIO...).
      await fs.rm(tmp, { force: true }).catch(() => {});
      // new/ may have been replaced: the next sync opens it afresh.
      this.#newDir.reopen();
      throw err;
    }
    // The rename is durable once new/ itself is synced (shared by concurrent deliveries).
    await this.#newDir.sync();
    if (this.listenerCount('message') > 0) {
      const summary = await this.#summary(id, data).catch(() => undefined);
      if (summary) this.emit('message', summary);
    }
    return id;
  }

  /** Every message, newest first. */
  async list(): Promise<MailSummary[]> {
    await this.init();
    const ids = await this.#ids();
    const out: MailSummary[] = [];
    for (const id of ids) {
      const s = await this.#summary(id).catch(() => undefined);
      if (s) out.push(s);
    }
    // Newest first: by delivery order (the id starts with the delivery time), then by Date.
    return out.sort((a, b) => compareIds(b.id, a.id));
  }

  /** The raw message, or undefined. */
  async raw(id: string): Promise<Buffer | undefined> {
    const file = await this.#file(id);
    if (!file) return undefined;
    try {
      return await fs.readFile(file);
    } catch {
      return undefined;
    }
  }

  /** The parsed message, or undefined. */
  async get(id: string): Promise<StoredMail | undefined> {
    const raw = await this.raw(id);
    if (!raw) return undefined;
    const envelope = parseEnvelopeHeaders(raw);
    const details = await parseMessage(raw, envelope);
    this.index.remember(id, details);
    const summary = await this.#summary(id, raw);
    return {
      ...summary,
      fromName: details.fromName,
      cc: details.cc,
      bcc: details.bcc,
      text: details.text,
      html: details.html,
      headers: details.headers,
      attachments: details.attachments,
      envelope,
    };
  }

  /** Deletes one message; false when there was none. */
  async delete(id: string): Promise<boolean> {
    const file = await this.#file(id);
    if (!file) return false;
    try {
      await fs.unlink(file);
    } catch {
      return false;
    }
    this.#summaries.delete(id);
    this.index.forget(id);
    return true;
  }

  /** Deletes every message; returns how many. */
  async clear(): Promise<number> {
    const ids = await this.#ids();
    let n = 0;
    for (const id of ids) if (await this.delete(id)) n++;
    return n;
  }

  async #ids(): Promise<string[]> {
    const ids: string[] = [];
    for (const sub of ['new', 'cur']) {
      let names: string[] = [];
      try {
        names = await fs.readdir(path.join(this.dir, sub));
      } catch {
        continue;
      }
      // In cur/ a reader may have added ":2,FLAGS"; the id is the part before it.
      for (const name of names) {
        const id = name.split(':')[0] ?? name;
        if (ID_PATTERN.test(id)) ids.push(id);
      }
    }
    return ids;
  }

  async #file(id: string): Promise<string | undefined> {
    if (!ID_PATTERN.test(id)) return undefined;
    const inNew = path.join(this.dir, 'new', id);
    try {
      await fs.access(inNew);
      return inNew;
    } catch {
      // fall through to cur/
    }
    try {
      const names = await fs.readdir(path.join(this.dir, 'cur'));
      const name = names.find((n) => n === id || n.startsWith(`${id}:`));
      return name ? path.join(this.dir, 'cur', name) : undefined;
    } catch {
      return undefined;
    }
  }

  async #summary(id: string, raw?: Buffer): Promise<MailSummary> {
    const cached = this.#summaries.get(id);
    if (cached) return cached;
    const data = raw ?? (await this.raw(id));
    if (!data) throw new Error(`no message ${id}`);
    // Only the header block is needed for a summary.
    const end = data.indexOf('\r\n\r\n');
    const head = end >= 0 ? data.subarray(0, end + 4) : data;
    const parsed = await simpleParser(head, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
    const delivered = Number(id.split('.')[0]);
    const headerTo = addressList(parsed.to);
    const named = headerTo.length > 0 || addressList(parsed.cc).length > 0;
    const envelope = parseEnvelopeHeaders(head);
    const summary: MailSummary = {
      id,
      // Header addresses first; the envelope when the headers name none (Bcc-only mail).
      from: addressList(parsed.from)[0] ?? envelope?.mailFrom ?? '',
      to: named ? headerTo : (envelope?.rcptTo ?? []),
      subject: parsed.subject ?? '',
      date: (parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date : new Date(delivered)).toISOString(),
      size: data.length,
    };
    this.#summaries.set(id, summary);
    return summary;
  }
}

function compareIds(a: string, b: string): number {
  const ta = Number(a.split('.')[0]);
  const tb = Number(b.split('.')[0]);
  if (ta !== tb) return ta - tb;
  const qa = Number(/Q(\d+)/.exec(a)?.[1] ?? 0);
  const qb = Number(/Q(\d+)/.exec(b)?.[1] ?? 0);
  return qa - qb || a.localeCompare(b);
}

/** A folder's descriptor is kept this long after its last sync, then closed. */
const DIR_FD_IDLE_MS = 1_000;

/**
 * fsyncs one folder on behalf of many concurrent renames (group commit): a caller joins a sync that
 * has not started yet, never one already running (it may have begun before the caller's rename).
 * The folder stays open while deliveries keep coming, so a sync costs one fsync (one trip to the
 * thread pool) instead of open, fsync and close; it is closed after {@link DIR_FD_IDLE_MS} idle.
 */
class DirSyncer {
  readonly dir: string;
  #running: Promise<void> | undefined;
  #queued: Promise<void> | undefined;
  #fd: Promise<number> | undefined;
  #idle: NodeJS.Timeout | undefined;

  constructor(dir: string) {
    this.dir = dir;
  }

  sync(): Promise<void> {
    if (!this.#running) return this.#start();
    this.#queued ??= this.#running
      .catch(() => {})
      .then(() => {
        this.#queued = undefined;
        return this.#start();
      });
    return this.#queued;
  }

  #start(): Promise<void> {
    clearTimeout(this.#idle);
    const run: Promise<void> = this.#syncOnce().finally(() => {
      if (this.#running !== run) return;
      this.#running = undefined;
      if (!this.#queued) this.#idle = setTimeout(() => this.#closeIfIdle(), DIR_FD_IDLE_MS).unref();
    });
    this.#running = run;
    return run;
  }

  async #syncOnce(): Promise<void> {
    this.#fd ??= openAsync(this.dir, 'r');
    let fd: number;
    try {
      fd = await this.#fd;
    } catch (err) {
      this.#fd = undefined;
      throw err;
    }
    try {
      await fsyncAsync(fd);
    } catch (err) {
      // A descriptor that failed once is not trusted again.
      this.#drop();
      throw err;
    }
  }

  /** Forgets the open folder (it may have been replaced); the next sync opens it again. */
  reopen(): void {
    if (!this.#running) this.#drop();
  }

  #closeIfIdle(): void {
    if (!this.#running) this.#drop();
  }

  #drop(): void {
    const fd = this.#fd;
    this.#fd = undefined;
    fd?.then(
      (n) => fsSync.close(n, () => {}),
      () => {},
    );
  }
}

async function removeStaleTmp(dir: string): Promise<void> {
  const now = Date.now();
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    const file = path.join(dir, name);
    const stat = await fs.stat(file).catch(() => undefined);
    if (stat?.isFile() && now - stat.mtimeMs > STALE_TMP_MS) await fs.rm(file, { force: true }).catch(() => {});
  }
}
