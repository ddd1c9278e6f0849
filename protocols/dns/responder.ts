/**
 * From query bytes to answer bytes, pure given the zones: parse, answer from the zones,
 * negotiate EDNS, encode and fit to the transport's limit. Failures become rcodes, never throws.
 * @module
 */
import { AnswerCache, MAX_CACHED_MESSAGE } from './answer-cache.js';
import { answerLine } from './answer-line.js';
import { answerQuestion } from './authority.js';
import { type TransferPolicy, transfer } from './axfr.js';
import { answerChaos, CLASS_CH, EDE_NOT_SUPPORTED, EDE_PROHIBITED } from './chaos.js';
import { answerOpt, udpPayloadLimit } from './edns.js';
import { absolute } from './names.js';
import { parseQuery, type WireQuestion } from './query.js';
import { rdataToText } from './rdata-text.js';
import {
  CLASS_ANY,
  CLASS_IN,
  codeOf,
  isDynamic,
  RCODE,
  rcodeName,
  rdataOf,
  T,
  typeName,
  typeOf,
  type ZoneRecord,
} from './records.js';
import type { ResponseSpec } from './response.js';
import { fitResponse, MAX_TCP_MESSAGE } from './truncation.js';
import { handleUpdate, OPCODE_UPDATE, type UpdatePolicy } from './update.js';
import type { Zone } from './zone.js';

/** How a message came: 'tls' is DNS over TLS (RFC 7858) or HTTPS (RFC 8484), answered as over TCP. */
export type DnsTransport = 'udp' | 'tcp' | 'tls';

export interface ResponderOptions {
  /** Our EDNS UDP payload size. */
  readonly maxUdpPayload: number;
  /** Where repeated queries find their answers (answer-cache.ts); default none. */
  readonly cache?: AnswerCache<Outcome> | undefined;
  /** Who may update zones (update.ts); default nobody. */
  readonly update?: UpdatePolicy | undefined;
  /** Who may transfer zones (axfr.ts); default nobody. */
  readonly transfer?: TransferPolicy | undefined;
  /** The TXT answer to CH `id.server.` (chaos.ts); default the host name, as NSD. */
  readonly identity?: string | undefined;
}

/** What happened to one message: the bytes to send (if any) and facts for the logs. */
export interface Outcome {
  /** Undefined when the message is dropped (no ID, or a response). */
  readonly message: Buffer | undefined;
  /** "A www.suite.test", "(no question, 12 bytes)". */
  readonly request: string;
  /** "NOERROR 2 answers", "NXDOMAIN", "FORMERR: 0 questions", "dropped: ...". */
  readonly response: string;
  /** NOERROR and NXDOMAIN are answers; everything else is a failure. */
  readonly ok: boolean;
  readonly rcode: string;
  readonly question: { readonly name: string; readonly type: string } | undefined;
  readonly answers: number;
  readonly truncated: boolean;
  /** Messages that follow `message` over TCP (a zone transfer). */
  readonly more?: readonly Buffer[] | undefined;
}

function describeQuestion(q: WireQuestion | undefined, size: number): string {
  return q ? `${typeName(q.type)} ${q.display}` : `(no question, ${size} bytes)`;
}

/** The response line: the answer data itself (answer-line.ts). */
function summary(rcode: number, answers: readonly ZoneRecord[], truncated: boolean, cut: string | undefined): string {
  const items = answers.map((r) => ({ type: typeOf(r), text: rdataToText(codeOf(r), rdataOf(r)) }));
  return answerLine(rcodeName(rcode), items, truncated, cut === undefined ? undefined : absolute(cut));
}

/** NSD's EXTRA-TEXT for a DNAME substitution that would be longer than 255 bytes. */
const DNAME_TOO_LONG = 'DNAME expansion became too large';

/** Classes answered: IN, CH (chaos.ts) and ANY (RFC 1034 §3.7.1). */
const KNOWN_CLASSES = new Set<number>([CLASS_IN, CLASS_CH, CLASS_ANY]);

const anyDynamic = (records: readonly ZoneRecord[]) => records.some(isDynamic);

/** Answers one message received over `transport`. */
export function respond(
  input: Buffer,
  transport: DnsTransport,
  zones: readonly Zone[],
  options: ResponderOptions,
  peer = '',
): Outcome {
  // RFC 2136: an UPDATE message (opcode 5) goes to update.ts, never through the cache.
  if (input.length >= 12 && (input[2] as number) >> 7 === 0 && (((input[2] as number) >> 3) & 0xf) === OPCODE_UPDATE) {
    const u = handleUpdate(input, zones, options.update ?? {});
    return { ...u, question: undefined, answers: 0, truncated: false };
  }
  const cache = options.cache;
  const key = cache ? AnswerCache.keyOf(transport, input) : undefined;
  if (cache === undefined || key === undefined) return compute(input, transport, zones, options, peer).outcome;
  const hit = cache.get(key, zones);
  if (hit?.message) {
    // Same bytes after the ID, same zones: same answer but for the ID (RFC 1035 §4.1.1).
    const message = Buffer.allocUnsafe(hit.message.length);
    hit.message.copy(message);
    message[0] = input[0] as number;
    message[1] = input[1] as number;
    return { ...hit, message };
  }
  const { outcome, cacheable } = compute(input, transport, zones, options, peer);
  if (cacheable && outcome.message && outcome.message.length <= MAX_CACHED_MESSAGE) {
    // The cache keeps its own copy: the caller may hand its buffer to a socket.
    cache.set(key, zones, { ...outcome, message: Buffer.from(outcome.message) });
  }
  return outcome;
}

/** The answer, and whether it may be reused for the same query bytes. */
function compute(
  input: Buffer,
  transport: DnsTransport,
  zones: readonly Zone[],
  options: ResponderOptions,
  peer: string,
): { outcome: Outcome; cacheable: boolean } {
  const parsed = parseQuery(input);
  if (parsed.kind === 'drop')
    return {
      cacheable: false,
      outcome: {
        message: undefined,
        request: `(${input.length} bytes)`,
        response: `dropped: ${parsed.reason}`,
        ok: false,
        rcode: 'NONE',
        question: undefined,
        answers: 0,
        truncated: false,
      },
    };
  const q = parsed.kind === 'notify' ? undefined : parsed.question;
  const limit =
    transport === 'udp' && parsed.kind !== 'notify'
      ? udpPayloadLimit(parsed.edns, options.maxUdpPayload)
      : MAX_TCP_MESSAGE;
  const opt = parsed.kind === 'notify' ? undefined : answerOpt(parsed.edns, options.maxUdpPayload);
  if (
    parsed.kind === 'query' &&
    transport === 'tcp' &&
    (parsed.question.type === T.AXFR || parsed.question.type === T.IXFR)
  ) {
    const wq = parsed.question;
    const t = transfer(input, parsed, zones, options.transfer ?? {}, peer, opt);
    const [first, ...more] = t.messages;
    return {
      cacheable: false,
      outcome: {
        message: first,
        more,
        request: describeQuestion(wq, input.length),
        response: t.response,
        ok: t.ok,
        rcode: t.rcode,
        question: { name: wq.display, type: typeName(wq.type) },
        answers: t.records,
        truncated: false,
      },
    };
  }
  const base = { id: parsed.id, queryFlags: parsed.flags, question: q, opt };
  const empty = { aa: false, answers: [], authorities: [], additionals: [] };
  let spec: ResponseSpec;
  // Only real answers from static data are worth keeping; errors and SERVFAIL are rare.
  let cacheable = false;
  let text: string | undefined;
  if (parsed.kind === 'error') {
    spec = { ...base, ...empty, rcode: parsed.rcode };
    text = `${rcodeName(parsed.rcode)}: ${parsed.reason}`;
  } else if (parsed.kind === 'notify') {
    // RFC 1996: we are no secondary. As NSD: REFUSED for one of our zones, NXDOMAIN for any other name; the header alone.
    const ours = zones.some((z) => z.origin === parsed.question.name);
    spec = { ...base, ...empty, rcode: ours ? RCODE.REFUSED : RCODE.NXDOMAIN };
    text = `${rcodeName(spec.rcode)}: NOTIFY for ${parsed.question.display}`;
  } else if (!KNOWN_CLASSES.has(parsed.question.class)) {
    // As NSD: another class is REFUSED with EDE 21 (Not Supported), and no question.
    spec = {
      ...base,
      ...empty,
      question: undefined,
      rcode: RCODE.REFUSED,
      opt: opt && { ...opt, ede: EDE_NOT_SUPPORTED },
    };
  } else if (parsed.question.class === CLASS_CH) {
    const chaos = answerChaos(parsed.question.name, parsed.question.type, options.identity);
    const withEde = opt && chaos.ede !== undefined ? { ...opt, ede: chaos.ede } : opt;
    spec = { ...base, ...empty, rcode: chaos.rcode, answers: chaos.answers, opt: withEde, recordClass: CLASS_CH };
  } else if (parsed.question.type === T.AXFR || parsed.question.type === T.IXFR) {
    // Not over TCP. As NSD: AXFR over UDP is NOTIMP; IXFR NOTAUTH for a name that is no apex, else REFUSED (EDE 18).
    const apex = zones.some((z) => z.origin === parsed.question.name);
    const rcode = parsed.question.type === T.AXFR ? RCODE.NOTIMP : apex ? RCODE.REFUSED : RCODE.NOTAUTH;
    spec = { ...base, ...empty, rcode, opt: opt && rcode === RCODE.REFUSED ? { ...opt, ede: EDE_PROHIBITED } : opt };
  } else {
    try {
      const answer = answerQuestion(zones, parsed.question, { dnssecOk: parsed.edns?.dnssecOk ?? false });
      // RFC 8914 §4.21/§4.22: say why we refused (Not Authoritative, Not Supported), as NSD does.
      const klass = parsed.question.class;
      const ede = answer.rcode === RCODE.REFUSED ? (klass === CLASS_IN || klass === CLASS_ANY ? 20 : 21) : undefined;
      spec = { ...base, ...answer, opt: opt && ede !== undefined ? { ...opt, ede } : opt };
      // RFC 6672 §2.2: NSD says why with EDE 0 (Other) and its text.
      if (answer.rcode === RCODE.YXDOMAIN && opt) spec = { ...spec, opt: { ...opt, ede: 0, edeText: DNAME_TOO_LONG } };
      cacheable = !anyDynamic(answer.answers) && !anyDynamic(answer.authorities) && !anyDynamic(answer.additionals);
    } catch {
      // A bug of ours must not cost the client its answer: SERVFAIL, and the server lives on.
      spec = { ...base, rcode: RCODE.SERVFAIL, aa: false, answers: [], authorities: [], additionals: [] };
    }
  }
  const fitted = fitResponse(spec, limit, transport === 'udp');
  const answers = fitted.answers;
  const shown = spec.answers.slice(0, answers);
  return {
    cacheable,
    outcome: {
      message: fitted.message,
      request: describeQuestion(q, input.length),
      response: text ?? summary(spec.rcode, shown, fitted.truncated, spec.cut),
      ok: spec.rcode === RCODE.NOERROR || spec.rcode === RCODE.NXDOMAIN,
      rcode: rcodeName(spec.rcode),
      question: q ? { name: q.display, type: typeName(q.type) } : undefined,
      answers,
      truncated: fitted.truncated,
    },
  };
}
