/**
 * One message on its way into the store, streamed as it arrives: its bytes are held in memory
 * only up to {@link CHUNK_BYTES}, then appended to the log as a chunk record (not synced; the
 * commit's sync covers it), so a session holds a bounded amount however large the message. The
 * commit record carries the id and the last part, and is durable before `commit()` resolves.
 * @module
 */
import type { Envelope } from './envelope-headers.js';
import type { Extent } from './mail-log.js';
import { SUMMARY_HEAD_BYTES } from './mail-summary.js';

/** Bytes a session holds before they go to the log (64 KiB: most mail fits in one commit). */
export const CHUNK_BYTES = 64 * 1024;

/** What a draft needs of the store. */
export interface DraftSink {
  /** Appends a chunk of transaction `txn`. */
  chunk(txn: number, data: readonly Buffer[]): Promise<Extent>;
  /** Appends the commit and makes it durable; resolves with the id. */
  commit(draft: MailDraft, tail: readonly Buffer[]): Promise<string>;
  /** The draft is abandoned (its chunks are dead space). */
  abandon(draft: MailDraft): void;
}

export class MailDraft {
  readonly txn: number;
  #sink: DraftSink;
  #held: Buffer[] = [];
  #heldBytes = 0;
  #parts: Extent[] = [];
  #size = 0;
  #head: Buffer | undefined;
  #writing: Promise<void> | undefined;
  #failed: Error | undefined;
  #done = false;
  /** Held pieces before the message itself (the trace lines). */
  #skip = 0;

  /** The SMTP envelope, when the message came with one. */
  readonly envelope: Envelope | undefined;

  /** `prefix`: the envelope's trace lines, put in front of the message (not part of {@link head}). */
  constructor(sink: DraftSink, txn: number, envelope?: Envelope, prefix?: Buffer) {
    this.#sink = sink;
    this.txn = txn;
    this.envelope = envelope;
    if (prefix) {
      this.write(prefix);
      this.#skip = 1;
    }
  }

  /** Bytes so far. */
  get size(): number {
    return this.#size;
  }

  /** The chunks already in the log. */
  get parts(): readonly Extent[] {
    return this.#parts;
  }

  /**
   * The first bytes of the message after the prefix: at least its header block (up to
   * {@link SUMMARY_HEAD_BYTES}), without copying when the first piece holds it.
   */
  get head(): Buffer {
    if (this.#head) return this.#head;
    const pieces = this.#held.slice(this.#skip);
    let bytes = 0;
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i] as Buffer;
      bytes += piece.length;
      if (i === 0 && (piece.includes('\r\n\r\n') || piece.includes('\n\n'))) return piece;
      if (bytes >= SUMMARY_HEAD_BYTES) break;
    }
    return Buffer.concat(pieces).subarray(0, SUMMARY_HEAD_BYTES);
  }

  /** The held pieces (the whole message when it never filled a chunk). */
  get held(): readonly Buffer[] {
    return this.#held;
  }

  /**
   * Adds bytes. Returns a promise when the caller should wait before giving more (a chunk is
   * being written), undefined otherwise.
   */
  write(data: Buffer): Promise<void> | undefined {
    if (this.#done) throw new Error('mail draft: already committed or abandoned');
    this.#held.push(data);
    this.#heldBytes += data.length;
    this.#size += data.length;
    if (this.#heldBytes < CHUNK_BYTES) return undefined;
    return this.#flush();
  }

  #flush(): Promise<void> {
    const held = this.#held;
    this.#held = [];
    this.#heldBytes = 0;
    if (!this.#head) this.#head = Buffer.concat(held.slice(this.#skip)).subarray(0, SUMMARY_HEAD_BYTES);
    const previous = this.#writing ?? Promise.resolve();
    const writing = previous
      .then(() => this.#sink.chunk(this.txn, held))
      .then(
        (extent) => {
          this.#parts.push(extent);
        },
        (err: unknown) => {
          this.#failed ??= err instanceof Error ? err : new Error(String(err));
        },
      );
    this.#writing = writing;
    return writing;
  }

  /** Stores the message durably; resolves with its id. */
  async commit(): Promise<string> {
    if (this.#done) throw new Error('mail draft: already committed or abandoned');
    this.#done = true;
    await this.#writing;
    if (this.#failed) {
      this.#sink.abandon(this);
      throw this.#failed;
    }
    try {
      return await this.#sink.commit(this, this.#held);
    } catch (err) {
      this.#sink.abandon(this);
      throw err;
    }
  }

  /** Drops the message (client gone, over the size limit...). Idempotent. */
  abandon(): void {
    if (this.#done) return;
    this.#done = true;
    this.#held = [];
    void (this.#writing ?? Promise.resolve()).then(() => this.#sink.abandon(this));
  }
}
