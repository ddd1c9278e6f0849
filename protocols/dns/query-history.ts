/**
 * The queries a DNS service received, for tests (`DnsService.queries()`): a bounded ring kept in
 * columns of primitives, so a busy server retains no object per query (objects that outlive a
 * young-generation collection are what makes garbage collection expensive); the objects are
 * built when asked for.
 * @module
 */
import type { DnsTransport } from './responder.js';
import type { QueryEvent } from './server.js';

/** One query the server received. */
export interface ReceivedQuery {
  /** As sent ("WWW.suite.test"); undefined when the message had no readable question. */
  readonly name: string | undefined;
  readonly type: string | undefined;
  readonly transport: DnsTransport;
  readonly peer: string;
  /** "NOERROR", "NXDOMAIN", "FORMERR"..., or "NONE" when dropped. */
  readonly rcode: string;
  readonly answers: number;
  readonly truncated: boolean;
  readonly time: Date;
}

export class QueryHistory {
  readonly capacity: number;
  #names: (string | undefined)[];
  #types: (string | undefined)[];
  #transports: DnsTransport[];
  #peers: string[];
  #rcodes: string[];
  #answers: Uint32Array;
  #truncated: Uint8Array;
  #times: Float64Array;
  /** Index of the oldest entry, and how many are kept. */
  #head = 0;
  #size = 0;
  #total = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.capacity = capacity;
    this.#names = new Array(capacity);
    this.#types = new Array(capacity);
    this.#transports = new Array(capacity);
    this.#peers = new Array(capacity);
    this.#rcodes = new Array(capacity);
    this.#answers = new Uint32Array(capacity);
    this.#truncated = new Uint8Array(capacity);
    this.#times = new Float64Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Queries ever added, including those the ring has dropped. */
  get total(): number {
    return this.#total;
  }

  add(e: QueryEvent): void {
    const i = (this.#head + this.#size) % this.capacity;
    this.#names[i] = e.question?.name;
    this.#types[i] = e.question?.type;
    this.#transports[i] = e.transport;
    this.#peers[i] = e.peer;
    this.#rcodes[i] = e.rcode;
    this.#answers[i] = e.answers;
    this.#truncated[i] = e.truncated ? 1 : 0;
    this.#times[i] = e.time.getTime();
    this.#total++;
    if (this.#size < this.capacity) this.#size++;
    else this.#head = (this.#head + 1) % this.capacity;
  }

  /** Oldest first; with `after`, only the queries added after the first `after` ever added. */
  toArray(after = 0): ReceivedQuery[] {
    const out: ReceivedQuery[] = [];
    for (let n = Math.max(0, this.#size - (this.#total - after)); n < this.#size; n++) {
      const i = (this.#head + n) % this.capacity;
      out.push({
        name: this.#names[i],
        type: this.#types[i],
        transport: this.#transports[i] as DnsTransport,
        peer: this.#peers[i] as string,
        rcode: this.#rcodes[i] as string,
        answers: this.#answers[i] as number,
        truncated: this.#truncated[i] === 1,
        time: new Date(this.#times[i] as number),
      });
    }
    return out;
  }
}
