/**
 * The mail log: the durable part of the mail store. Every session appends its records
 * (log-record.ts) to one file; the records waiting when the disk is free again go out in one
 * `writev` and one `fdatasync` covers them all (group commit), so a burst of messages costs a
 * few syncs instead of a file, a sync and a folder sync each. A record a caller marks durable is
 * resolved only after the sync that covers it has returned.
 *
 * The log is a series of segment files (`DATA/mail/.log/00000001.seg`, ...): appends go to the
 * newest; once it passes `segmentBytes` a new one is begun. Space comes back by removing whole
 * segments (mail-store.ts decides which, after copying what is still live forward).
 *
 * Opening scans every segment in order and hands each intact record to the caller; a torn tail
 * (a crash mid-append: short, or a checksum that does not match) is cut off there and never
 * read as data.
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { checksumOk, decodeHeader, encodeHeader, HEADER_BYTES, type RecordType, recordBytes } from './log-record.js';

/** Where a record's data lies in the log. */
export interface Extent {
  readonly segment: number;
  readonly offset: number;
  readonly length: number;
}

/** A record found while opening the log. `data` is valid only during the visit. */
export interface ScannedRecord {
  readonly type: RecordType;
  readonly txn: number;
  readonly key: string;
  readonly extent: Extent;
  readonly data: Buffer;
}

/** What opening found. */
export interface Recovery {
  readonly segments: number;
  readonly records: number;
  /** Torn tails cut off: the segment and the offset where intact records end. */
  readonly torn: readonly { readonly segment: number; readonly offset: number; readonly bytes: number }[];
  /** The highest transaction number seen (new ones continue after it). */
  readonly lastTxn: number;
}

/** The two writes whose failure a test must be able to provoke (a full or failing disk). */
export interface LogWriteIo {
  writev(fd: number, buffers: Buffer[], position: number): Promise<number>;
  fdatasync(fd: number): Promise<void>;
}

export interface MailLogOptions {
  /** A new segment is begun once the newest passes this size. */
  readonly segmentBytes: number;
  /** For tests: the write and sync calls. Default the real ones. */
  readonly io?: Partial<LogWriteIo>;
}

/** A segment is begun once the newest passes this many bytes (16 MiB). */
export const SEGMENT_BYTES = 16 * 1024 * 1024;
/** One writev takes at most this many buffers (IOV_MAX is 1024 on Linux)... */
const MAX_BATCH_BUFFERS = 1000;
/** ...and about this many bytes. */
const MAX_BATCH_BYTES = 8 * 1024 * 1024;
/** Bytes read at a time while opening. */
const SCAN_BLOCK = 1024 * 1024;

const SEGMENT_NAME = /^(\d{8})\.seg$/;

function segmentName(n: number): string {
  return `${String(n).padStart(8, '0')}.seg`;
}

const realIo: LogWriteIo = {
  writev: (fd, buffers, position) =>
    new Promise((resolve, reject) => fs.writev(fd, buffers, position, (err, n) => (err ? reject(err) : resolve(n)))),
  fdatasync: (fd) => new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve()))),
};

function openFd(file: string, flags: string): Promise<number> {
  return new Promise((resolve, reject) => fs.open(file, flags, 0o644, (err, fd) => (err ? reject(err) : resolve(fd))));
}

function readFd(fd: number, buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) =>
    fs.read(fd, buffer, offset, length, position, (err, n) => (err ? reject(err) : resolve(n))),
  );
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but is someone else's.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** fsync of a folder: makes the creation or removal of its entries durable. */
async function syncDir(dir: string): Promise<void> {
  const fd = await openFd(dir, 'r');
  try {
    await new Promise<void>((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
  } finally {
    fs.close(fd, () => {});
  }
}

interface Append {
  readonly type: RecordType;
  readonly txn: number;
  readonly key: Buffer;
  readonly data: readonly Buffer[];
  readonly durable: boolean;
  readonly resolve: (extent: Extent) => void;
  readonly reject: (err: Error) => void;
}

export class MailLog {
  readonly dir: string;
  readonly segmentBytes: number;
  #io: LogWriteIo;
  /** Every segment and its length in bytes (intact records only). */
  #segments = new Map<number, number>();
  /** Read descriptors of sealed segments, opened on first read. */
  #readers = new Map<number, Promise<number>>();
  #active = 0;
  #fd = -1;
  #position = 0;
  #pending: Append[] = [];
  #scheduled = false;
  #running = false;
  /** Set when a failed write could not be undone: nothing more is accepted. */
  #broken: Error | undefined;

  constructor(dir: string, options: MailLogOptions) {
    this.dir = dir;
    this.segmentBytes = options.segmentBytes;
    this.#io = { ...realIo, ...options.io };
  }

  /** Scans the log (creating it when absent), handing each intact record to `visit` in log order. */
  async open(visit: (record: ScannedRecord) => void): Promise<Recovery> {
    await fs.promises.mkdir(this.dir, { recursive: true });
    await this.#lock();
    const numbers = (await fs.promises.readdir(this.dir))
      .map((name) => SEGMENT_NAME.exec(name)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    const torn: { segment: number; offset: number; bytes: number }[] = [];
    let records = 0;
    let lastTxn = 0;
    for (const n of numbers) {
      const result = await this.#scan(n, (record) => {
        records++;
        if (record.txn > lastTxn) lastTxn = record.txn;
        visit(record);
      });
      this.#segments.set(n, result.intact);
      if (result.size > result.intact)
        torn.push({ segment: n, offset: result.intact, bytes: result.size - result.intact });
    }
    const last = numbers.at(-1);
    if (last !== undefined && (this.#segments.get(last) ?? 0) < this.segmentBytes) {
      this.#active = last;
      this.#fd = await openFd(path.join(this.dir, segmentName(last)), 'r+');
      this.#position = this.#segments.get(last) ?? 0;
    } else {
      await this.#begin((last ?? 0) + 1);
    }
    return { segments: this.#segments.size, records, torn, lastTxn };
  }

  /**
   * One process writes the log: a second one on the same folder would interleave its appends.
   * The lock file names the owner; a lock whose process is gone (kill -9) is taken over.
   */
  async #lock(): Promise<void> {
    const file = path.join(this.dir, 'lock');
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await fs.promises.writeFile(file, String(process.pid), { flag: 'wx' });
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const pid = Number(await fs.promises.readFile(file, 'utf8').catch(() => ''));
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid))
        throw new Error(`mail store ${path.dirname(this.dir)} is in use by process ${pid}`);
      await fs.promises.rm(file, { force: true });
    }
    throw new Error(`mail store ${path.dirname(this.dir)}: cannot take the lock ${file}`);
  }

  /** Reads one segment record by record; cuts a torn tail off. */
  async #scan(n: number, visit: (record: ScannedRecord) => void): Promise<{ size: number; intact: number }> {
    const file = path.join(this.dir, segmentName(n));
    const fd = await openFd(file, 'r+');
    try {
      const size = (await fs.promises.stat(file)).size;
      let buffer = Buffer.alloc(0);
      let bufferStart = 0; // file offset of buffer[0]
      let offset = 0; // file offset of the next record
      const fill = async (need: number): Promise<boolean> => {
        const have = bufferStart + buffer.length - offset;
        if (have >= need) return true;
        const end = bufferStart + buffer.length;
        if (end >= size) return false;
        const block = Buffer.allocUnsafe(Math.max(SCAN_BLOCK, need - have));
        const got = await readFd(fd, block, 0, block.length, end);
        buffer = Buffer.concat([buffer.subarray(offset - bufferStart), block.subarray(0, got)]);
        bufferStart = offset;
        return got > 0 && bufferStart + buffer.length - offset >= need;
      };
      while (offset < size) {
        if (!(await fill(HEADER_BYTES))) break;
        const at = offset - bufferStart;
        const header = decodeHeader(buffer.subarray(at, at + HEADER_BYTES));
        if (!header) break;
        const total = recordBytes(header.keyLength, header.dataLength);
        if (!(await fill(total))) break;
        const start = offset - bufferStart;
        const record = buffer.subarray(start, start + total);
        if (!checksumOk(record, header)) break;
        const dataStart = HEADER_BYTES + header.keyLength;
        visit({
          type: header.type,
          txn: header.txn,
          key: record.toString('utf8', HEADER_BYTES, dataStart),
          extent: { segment: n, offset: offset + dataStart, length: header.dataLength },
          data: record.subarray(dataStart),
        });
        offset += total;
      }
      if (offset < size) {
        // Everything from the first bad record on is a torn append: never served, and the next
        // append overwrites it.
        await new Promise<void>((resolve, reject) =>
          fs.ftruncate(fd, offset, (err) => (err ? reject(err) : resolve())),
        );
      }
      return { size, intact: offset };
    } finally {
      fs.close(fd, () => {});
    }
  }

  /** Begins segment `n` (created and made durable before anything is appended to it). */
  async #begin(n: number): Promise<void> {
    const file = path.join(this.dir, segmentName(n));
    const fd = await openFd(file, 'wx+');
    await syncDir(this.dir);
    if (this.#fd >= 0) {
      // The sealed segment is read through its own descriptor from now on.
      const old = this.#fd;
      this.#readers.set(this.#active, Promise.resolve(old));
    }
    this.#active = n;
    this.#fd = fd;
    this.#position = 0;
    this.#segments.set(n, 0);
  }

  /** The segment appends go to now. */
  get active(): number {
    return this.#active;
  }

  /** Every segment, oldest first, with its size. */
  segments(): [segment: number, bytes: number][] {
    return [...this.#segments].sort((a, b) => a[0] - b[0]);
  }

  /**
   * Appends one record; resolves with where its data lies once it is written, and when `durable`
   * only after an fdatasync that began after the write has returned.
   */
  append(type: RecordType, txn: number, key: string, data: readonly Buffer[], durable: boolean): Promise<Extent> {
    if (this.#broken) return Promise.reject(this.#broken);
    return new Promise<Extent>((resolve, reject) => {
      this.#pending.push({ type, txn, key: Buffer.from(key, 'utf8'), data, durable, resolve, reject });
      if (!this.#running && !this.#scheduled) {
        this.#scheduled = true;
        // After the current I/O phase: whatever else arrives in it joins the same write and sync.
        setImmediate(() => void this.#run());
      }
    });
  }

  /** Seals the newest segment and begins another (once what is queued now has been written). */
  rotate(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({
        type: 0 as RecordType,
        txn: 0,
        key: Buffer.alloc(0),
        data: [],
        durable: false,
        resolve: () => resolve(),
        reject,
      });
      if (!this.#running && !this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => void this.#run());
      }
    });
  }

  async #run(): Promise<void> {
    this.#scheduled = false;
    this.#running = true;
    try {
      while (this.#pending.length > 0) {
        const first = this.#pending[0] as Append;
        if (first.type === (0 as RecordType)) {
          // A rotation marker.
          this.#pending.shift();
          try {
            await this.#begin(Math.max(...this.#segments.keys()) + 1);
            first.resolve({ segment: this.#active, offset: 0, length: 0 });
          } catch (err) {
            first.reject(err as Error);
          }
          continue;
        }
        if (this.#position >= this.segmentBytes) {
          try {
            await this.#begin(this.#active + 1);
          } catch (err) {
            for (const a of this.#pending.splice(0)) a.reject(err as Error);
            break;
          }
        }
        await this.#writeBatch(this.#takeBatch());
      }
    } finally {
      this.#running = false;
    }
  }

  #takeBatch(): Append[] {
    let buffers = 0;
    let bytes = 0;
    let n = 0;
    for (const a of this.#pending) {
      if (a.type === (0 as RecordType)) break;
      const cost = 1 + a.data.length;
      if (n > 0 && (buffers + cost > MAX_BATCH_BUFFERS || bytes > MAX_BATCH_BYTES)) break;
      buffers += cost;
      bytes += a.data.reduce((s, d) => s + d.length, HEADER_BYTES);
      n++;
    }
    return this.#pending.splice(0, n);
  }

  async #writeBatch(batch: Append[]): Promise<void> {
    const start = this.#position;
    const buffers: Buffer[] = [];
    const extents: Extent[] = [];
    let position = start;
    let durable = false;
    for (const a of batch) {
      const header = encodeHeader(a.type, a.txn, a.key, a.data);
      const length = a.data.reduce((s, d) => s + d.length, 0);
      buffers.push(header, ...a.data);
      extents.push({ segment: this.#active, offset: position + header.length, length });
      position += header.length + length;
      durable ||= a.durable;
    }
    try {
      await this.#writeAll(buffers, start, position - start);
      // fdatasync covers the data and the file's new size, which a read after a crash needs.
      if (durable) await this.#io.fdatasync(this.#fd);
    } catch (err) {
      // Nothing of a failed batch may be found later: cut the segment back to where it began.
      await new Promise<void>((resolve) =>
        fs.ftruncate(this.#fd, start, (truncErr) => {
          if (truncErr) this.#broken = truncErr;
          resolve();
        }),
      );
      for (const a of batch) a.reject(err as Error);
      return;
    }
    this.#position = position;
    this.#segments.set(this.#active, position);
    for (let i = 0; i < batch.length; i++) (batch[i] as Append).resolve(extents[i] as Extent);
  }

  async #writeAll(buffers: Buffer[], position: number, total: number): Promise<void> {
    let written = await this.#io.writev(this.#fd, buffers, position);
    if (written === total) return;
    // A short write (rare): the rest as one buffer, until done.
    const rest = Buffer.concat(buffers).subarray(written);
    let done = 0;
    while (done < rest.length) {
      const n = await this.#io.writev(this.#fd, [rest.subarray(done)], position + written);
      if (n <= 0) throw new Error('mail log: write made no progress');
      done += n;
      written += n;
    }
  }

  /** The bytes of one extent. */
  async read(extent: Extent): Promise<Buffer> {
    const fd = await this.#reader(extent.segment);
    const out = Buffer.allocUnsafe(extent.length);
    let done = 0;
    while (done < out.length) {
      const n = await readFd(fd, out, done, out.length - done, extent.offset + done);
      if (n <= 0)
        throw new Error(`mail log: segment ${extent.segment} ends before offset ${extent.offset + extent.length}`);
      done += n;
    }
    return out;
  }

  #reader(segment: number): Promise<number> {
    if (segment === this.#active && this.#fd >= 0) return Promise.resolve(this.#fd);
    let fd = this.#readers.get(segment);
    if (!fd) {
      fd = openFd(path.join(this.dir, segmentName(segment)), 'r');
      fd.catch(() => this.#readers.delete(segment));
      this.#readers.set(segment, fd);
    }
    return fd;
  }

  /**
   * Removes sealed segments, in the order given (callers give oldest first, so a delete or clear
   * record never outlives... is never removed before the records it cancels), the folder synced
   * after each so the order holds on disk.
   */
  async remove(segments: readonly number[]): Promise<void> {
    for (const n of segments) {
      if (n === this.#active) throw new Error('mail log: the active segment cannot be removed');
      const fd = this.#readers.get(n);
      this.#readers.delete(n);
      this.#segments.delete(n);
      if (fd)
        await fd.then(
          (d) => new Promise<void>((r) => fs.close(d, () => r())),
          () => {},
        );
      await fs.promises.rm(path.join(this.dir, segmentName(n)), { force: true });
      await syncDir(this.dir);
    }
  }

  /** Closes every descriptor (after the writes queued now). Idempotent. */
  async close(): Promise<void> {
    while (this.#running || this.#scheduled) await new Promise((r) => setImmediate(r));
    for (const fd of this.#readers.values())
      await fd.then(
        (d) => fs.close(d, () => {}),
        () => {},
      );
    this.#readers.clear();
    if (this.#fd >= 0) {
      fs.close(this.#fd, () => {});
      await fs.promises.rm(path.join(this.dir, 'lock'), { force: true });
    }
    this.#fd = -1;
  }
}
