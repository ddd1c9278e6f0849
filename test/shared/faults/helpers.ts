/**
 * A protocol table for engine tests: three made-up protocols with the target syntaxes SPEC.md
 * gives paths, names and addresses.
 * @module
 */
import type { FaultProtocol } from '../../../shared/faults/index.js';

export const TEST_PROTOCOLS: Record<string, FaultProtocol> = {
  path: {
    tcp: true,
    actions: ['reply', 'close', 'drop', 'delayMs', 'closeAfterBytes'],
    target: { separators: '/', ignoreCase: false, optionalLeadingSlash: true },
    check: (rule) => (rule.action.reply?.startsWith('2') ? 'action.reply: must be a failure' : undefined),
  },
  name: {
    tcp: false,
    actions: ['rcode', 'drop', 'delayMs'],
    target: { separators: '.', ignoreCase: true, optionalLeadingSlash: false },
  },
  mail: {
    tcp: true,
    actions: ['reply', 'close'],
    target: { separators: '@', ignoreCase: true, optionalLeadingSlash: false },
  },
};
