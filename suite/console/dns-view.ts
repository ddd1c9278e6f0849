/**
 * The DNS panel's data: zone records and answers in master-file presentation (RFC 1035 §5.1),
 * and a small ring of the latest queries with the response each got, decoded when asked for.
 * @module
 */
import dnsPacket from 'dns-packet';
import { rdataText } from '../../protocols/dns/format.js';
import { absolute } from '../../protocols/dns/names.js';
import { rdataToText } from '../../protocols/dns/rdata-text.js';
import { codeOf, rdataOf, typeOf, type ZoneRecord } from '../../protocols/dns/records.js';
import type { QueryEvent } from '../../protocols/dns/server.js';

/** Queries the panel keeps, with their responses (a few hundred bytes each). */
export const RECENT_QUERIES = 200;

/** One record as the panel shows it. */
export interface RecordView {
  /** Absolute, with the trailing dot. */
  readonly name: string;
  readonly ttl: number;
  readonly type: string;
  /** RDATA in presentation form ("10 mail.suite.test.", "\"text\""). */
  readonly data: string;
}

/** A zone record in presentation form (SRV ports read now: the built-in zone names the run's ports). */
export function recordView(record: ZoneRecord): RecordView {
  return {
    name: absolute(record.name),
    ttl: record.ttl,
    type: typeOf(record),
    data: rdataToText(codeOf(record), rdataOf(record)),
  };
}

/** One recent query as the panel shows it. */
export interface QueryView {
  readonly time: string;
  readonly name: string | undefined;
  readonly type: string | undefined;
  readonly transport: string;
  readonly peer: string;
  readonly rcode: string;
  readonly truncated: boolean;
  /** The answer section, one presentation line per record ("www.suite.test. 60 A 127.0.0.1"). */
  readonly answers: string[];
}

function answerLines(message: Buffer | undefined): string[] {
  if (!message) return [];
  try {
    const packet = dnsPacket.decode(message);
    return (packet.answers ?? []).flatMap((a) =>
      a.type === 'OPT' ? [] : [`${absolute(a.name)} ${a.ttl ?? 0} ${a.type} ${rdataText(a)}`],
    );
  } catch {
    return ['(response not decodable)'];
  }
}

/** The last {@link RECENT_QUERIES} queries, newest first on read. */
export class RecentQueries {
  readonly capacity: number;
  #events: QueryEvent[] = [];

  constructor(capacity = RECENT_QUERIES) {
    this.capacity = capacity;
  }

  readonly add = (event: QueryEvent): void => {
    this.#events.push(event);
    if (this.#events.length > this.capacity) this.#events.splice(0, this.#events.length - this.capacity);
  };

  list(limit = this.capacity): QueryView[] {
    return this.#events
      .slice(-limit)
      .reverse()
      .map((e) => ({
        time: e.time.toISOString(),
        name: e.question?.name,
        type: e.question?.type,
        transport: e.transport,
        peer: e.peer,
        rcode: e.rcode,
        truncated: e.truncated,
        answers: answerLines(e.message),
      }));
  }
}
