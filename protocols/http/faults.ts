/**
 * HTTP faults: what a rule may do to an HTTP exchange. The target is the request path without
 * the query (`*` stays within one path segment, `**` crosses them); the command is the method.
 * @module
 */
import type { FaultProtocol } from '../../shared/faults/rule.js';

export const HTTP_FAULTS: FaultProtocol = {
  tcp: true,
  actions: [
    'status',
    'headers',
    'body',
    'reset',
    'closeAfterBytes',
    'drop',
    'delayMs',
    'latencyMs',
    'bandwidthBps',
    'sliceBytes',
  ],
  target: { separators: '/', ignoreCase: false, optionalLeadingSlash: false },
  check(rule) {
    const a = rule.action;
    if ((a.headers !== undefined || a.body !== undefined) && a.status === undefined)
      return 'action.status: required with headers or body (the fault answers in full)';
    if (a.drop && (a.status !== undefined || a.closeAfterBytes !== undefined))
      return 'action.drop: sends no response, so it takes no status or closeAfterBytes';
    if (rule.match.command !== undefined && !/^[!#$%&'*+.^_`|~0-9A-Z-]+$/.test(rule.match.command))
      return `match.command: not an HTTP method: ${rule.match.command}`;
    return undefined;
  },
};
