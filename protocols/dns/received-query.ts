/**
 * The queries a DNS server received, as tests see them (`DnsService.queries()`), read back from
 * its exchange records: the run's one log holds every query already, so nothing is kept twice.
 * What a query is made of stands in the record's lines, which the server writes in fixed forms:
 * - request: `<TYPE> <name as sent>`; without a question a note in parentheses
 *   (`(no question, 12 bytes)`, `(frame of 70000 bytes)`), or `UPDATE <zone> ...` (RFC 2136);
 * - response: the rcode first, then the answer data (answer-line.ts: `NOERROR A 10.0.0.1, A
 *   10.0.0.2 (+3 more) TC`, `NOERROR 0 answers`, `NOERROR referral to child.test`), the size of a
 *   zone transfer (axfr.ts: `NOERROR 12 records in 1 message, serial 7`), an error's reason
 *   (`REFUSED: ...`), a fault's answer (faults.ts: `SERVFAIL`, `NOERROR TC=1`, `... (wrong ID)`);
 *   no rcode at all when nothing was answered (`dropped: ...`, `(no answer)`, `closed: ...`).
 * @module
 */
import type { ExchangeRecord } from '../../shared/exchange.js';
import { RCODE } from './records.js';
import type { DnsTransport } from './responder.js';

/** One query the server received. */
export interface ReceivedQuery {
  /** As sent ("WWW.suite.test"); undefined when the message had no readable question. */
  readonly name: string | undefined;
  readonly type: string | undefined;
  readonly transport: DnsTransport;
  readonly peer: string;
  /** "NOERROR", "NXDOMAIN", "FORMERR"..., or "NONE" when nothing was answered. */
  readonly rcode: string;
  readonly answers: number;
  readonly truncated: boolean;
  readonly time: Date;
}

const RCODE_WORD = new RegExp(`^(?:${Object.keys(RCODE).join('|')}|RCODE\\d+)(?=$|[ :])`);
const TRANSFER = /^ (\d+) records? in /;
const MORE = / \(\+(\d+) more\)$/;

/** Items in a list of answers `A 10.0.0.1, TXT "a, b"`: the commas outside quoted strings. */
function countItems(list: string): number {
  let items = 1;
  let quoted = false;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && c === ',' && list[i + 1] === ' ') items++;
  }
  return items;
}

/** The rcode, answer count and TC bit a response line tells. */
export function readResponseLine(line: string): Pick<ReceivedQuery, 'rcode' | 'answers' | 'truncated'> {
  const rcode = RCODE_WORD.exec(line)?.[0];
  if (rcode === undefined) return { rcode: 'NONE', answers: 0, truncated: false };
  let rest = line.slice(rcode.length);
  if (rest.endsWith(' (wrong ID)')) rest = rest.slice(0, -' (wrong ID)'.length);
  const truncated = rest.endsWith(' TC') || rest.endsWith(' TC=1');
  if (truncated) rest = rest.slice(0, rest.lastIndexOf(' '));
  const transfer = TRANSFER.exec(rest);
  if (transfer) return { rcode, answers: Number(transfer[1]), truncated };
  if (rest === '' || rest.startsWith(':') || rest === ' 0 answers' || rest.startsWith(' referral to '))
    return { rcode, answers: 0, truncated };
  // An UPDATE's answer: "NOERROR serial 8", "NOERROR nothing changed, serial 8".
  if (rest.startsWith(' serial ') || rest.startsWith(' nothing changed')) return { rcode, answers: 0, truncated };
  const more = MORE.exec(rest);
  const list = more ? rest.slice(0, more.index) : rest;
  return { rcode, answers: countItems(list.slice(1)) + (more ? Number(more[1]) : 0), truncated };
}

/** The query a DNS server record stands for. */
export function receivedQuery(record: ExchangeRecord): ReceivedQuery {
  const request = record.request;
  const space = request.indexOf(' ');
  const asked = !request.startsWith('(') && space > 0 && !request.startsWith('UPDATE ');
  return {
    name: asked ? request.slice(space + 1) : undefined,
    type: asked ? request.slice(0, space) : undefined,
    transport: record.transport,
    peer: record.peer,
    ...readResponseLine(record.response),
    time: new Date(record.time),
  };
}
