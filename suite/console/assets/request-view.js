/**
 * The recorded HTTP request behind a server-side HTTP record (the test kit's `/api/requests`):
 * method, URL, status, the stub that answered, the headers and a preview of the body, all as text.
 * @module
 */
import { features, getJson } from './api.js';
import { bytes, fields, h } from './dom.js';

/** Characters of a body shown in the detail; the rest is counted. */
export const BODY_PREVIEW_CHARS = 4096;
/** Recorded requests asked for when looking for a record's one. */
const CANDIDATES = 100;

/** The recorded request nearest in time to `record` with the same method and target, if any. */
export async function findRequest(record) {
  if (record.protocol !== 'http' || record.side !== 'server') return undefined;
  if (!(await features()).includes('requests')) return undefined;
  const [method = '', target = ''] = record.request.split(' ');
  const path = target.split('?')[0];
  const query = new URLSearchParams({ limit: String(CANDIDATES), method });
  // The path filter is a stub pattern matched on decoded segments: use it for plain paths only.
  if (path.startsWith('/') && !/%|\/[:*]/.test(path)) query.set('path', path);
  let list;
  try {
    list = await getJson(`/api/requests?${query}`);
  } catch {
    return undefined;
  }
  const t = new Date(record.time).getTime();
  // Same method and target; of those, one answered with the record's status, nearest in time.
  const status = Number(/^(\d{3})\b/.exec(record.response)?.[1]);
  const cost = (q) => Math.abs(new Date(q.time).getTime() - t) + (q.status === status ? 0 : 1e12);
  return (Array.isArray(list) ? list : [])
    .filter((q) => q.method === method && q.target === target)
    .sort((a, b) => cost(a) - cost(b))[0];
}

/** The request as a section for the record's detail. */
export function requestSection(q) {
  const body = typeof q.body === 'string' ? q.body : '';
  const shown = body.length > BODY_PREVIEW_CHARS ? `${body.slice(0, BODY_PREVIEW_CHARS)}…` : body;
  const size = Number.isFinite(q.bodyBytes) ? q.bodyBytes : body.length;
  const cut = q.bodyTruncated || shown !== body;
  const head = [
    ['method', q.method],
    ['URL', q.target],
    ...(q.status !== undefined && q.status !== null ? [['status', String(q.status)]] : []),
    ...(q.stub ? [['stub', q.stub]] : []),
    ['body', size === 0 ? 'none' : `${bytes(size)}${cut ? ', the first part shown' : ''}`],
  ];
  const headers = Object.entries(q.headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]);
  return h(
    'section',
    { class: 'request', data: { requestId: q.id } },
    h('h4', { text: `Request #${q.id}` }),
    fields(head),
    h('h4', { text: 'Headers' }),
    headers.length > 0 ? fields(headers) : h('p', { class: 'muted', text: 'no headers' }),
    size > 0 ? h('h4', { text: 'Body' }) : '',
    size > 0 ? h('pre', { class: 'body', text: shown }) : '',
  );
}
