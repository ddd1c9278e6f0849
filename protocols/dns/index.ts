/**
 * Public API of minisuite/dns: the server, the service, the client, the zone parser and the
 * authority logic for direct use.
 * @module
 */
export {
  type AnswerOptions,
  type AuthorityAnswer,
  answerQuestion,
  findZone,
  MAX_CNAME_CHAIN,
  type Question,
} from './authority.js';
export { BUILTIN_NXDOMAIN, BUILTIN_ORIGIN, builtinZone } from './builtin-zone.js';
export {
  DEFAULT_SERVER,
  type DnsAnswer,
  type DnsQueryOptions,
  type DnsServerAddress,
  parseServer,
  QUERY_RETRIES,
  QUERY_TIMEOUT_MS,
  query,
} from './client.js';
export { CLASSIC_UDP_PAYLOAD, MAX_UDP_PAYLOAD } from './edns.js';
export { formatAnswer } from './format.js';
export { DNS_DEFAULTS, type DnsServiceOptions } from './options.js';
export type { ReceivedQuery } from './received-query.js';
export type { ZoneRecord, ZoneType } from './records.js';
export {
  DNS_IDLE_TIMEOUT_MS,
  DnsServer,
  type DnsServerOptions,
  MAX_TCP_QUERY_BYTES,
  PORT_PAIR_ATTEMPTS,
  type QueryEvent,
  TCP_QUERY_DEADLINE_MS,
} from './server.js';
export {
  ADDED_RECORD_TTL,
  DnsService,
  type RecordInput,
  type RecordMatchInput,
} from './service.js';
export { Zone } from './zone.js';
export { parseRecords, ZoneFileError, type ZoneParseOptions, zoneFromText } from './zone-file.js';
