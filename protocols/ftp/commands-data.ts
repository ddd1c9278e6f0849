/**
 * Data-channel setup commands: PASV (RFC 959), EPSV/EPRT (RFC 2428) and PORT, with the bounce
 * attack rules of RFC 2577 §3: active targets must be the client itself on a port ≥ 1024.
 * @module
 */
import net from 'node:net';
import { errorMessage } from '../../shared/errors.js';
import { normalizeAddress } from '../../shared/net-util.js';
import { formatEpsv, formatPasv, type HostPort, parseEprtArg, parsePortArg } from './command-parser.js';
import { PassiveListener, refuseActiveTarget } from './data-channel.js';
import { type Reply, reply } from './replies.js';
import type { CommandTable, FtpSession } from './session.js';

async function openPassive(s: FtpSession, format: (port: number) => Reply): Promise<Reply> {
  s.clearDataSetup();
  try {
    const listener = await PassiveListener.open(s.conn.localAddress, s.host.options.pasvPorts, s.conn.remoteAddress);
    s.setPassive(listener);
    return format(listener.port);
  } catch (err) {
    return reply(425, `Cannot open passive connection: ${errorMessage(err)}`);
  }
}

function active(s: FtpSession, target: HostPort | undefined): Reply {
  if (!target) return reply(501, 'Syntax error in the address argument');
  const refusal = refuseActiveTarget(target, s.conn.remoteAddress);
  // RFC 2577 §3: refuse before any connection is tried, with 504.
  if (refusal) return reply(504, refusal);
  s.setActive(target);
  return reply(200, 'Active data connection set; send a transfer command');
}

/** RFC 2428 protocol number of the control connection: 1 for IPv4, 2 for IPv6. */
function controlFamily(s: FtpSession): '1' | '2' {
  return net.isIPv6(normalizeAddress(s.conn.localAddress)) ? '2' : '1';
}

/** RFC 2428 §4: after EPSV ALL only EPSV sets up data connections (501, a reply RFC 959 lists for PASV and PORT, as pyftpdlib's). */
const afterEpsvAll = (verb: string) => reply(501, `${verb} not allowed after EPSV ALL.`);

export const DATA_COMMANDS: CommandTable = {
  PASV: {
    arg: 'none',
    handler(s) {
      if (s.epsvAll) return afterEpsvAll('PASV');
      const advertised = s.host.options.pasvAddress ?? normalizeAddress(s.conn.localAddress);
      if (!net.isIPv4(advertised)) return reply(425, 'PASV needs an IPv4 address; use EPSV');
      return openPassive(s, (port) => reply(227, formatPasv(advertised, port)));
    },
  },
  EPSV: {
    handler(s, arg) {
      const a = arg.trim().toUpperCase();
      if (a === 'ALL') {
        s.epsvAll = true;
        return reply(200, 'EPSV ALL ok');
      }
      const family = controlFamily(s);
      if (a !== '' && a !== '1' && a !== '2') return reply(501, 'EPSV takes 1, 2 or ALL');
      if (a !== '' && a !== family) return reply(522, `Network protocol not supported, use (${family})`);
      return openPassive(s, (port) => reply(229, formatEpsv(port)));
    },
  },
  PORT: {
    arg: 'required',
    handler: (s, arg) => (s.epsvAll ? afterEpsvAll('PORT') : active(s, parsePortArg(arg))),
  },
  EPRT: {
    arg: 'required',
    handler(s, arg) {
      if (s.epsvAll) return afterEpsvAll('EPRT');
      const target = parseEprtArg(arg);
      // RFC 2428 §2: 522 names the protocols we take, which is the control connection's family only,
      // since the data connection must go to the control connection's own address.
      const family = controlFamily(s);
      if (target === 'unsupported') return reply(522, `Network protocol not supported, use (${family})`);
      if (target && (net.isIPv6(target.host) ? '2' : '1') !== family)
        return reply(522, `Network protocol not supported, use (${family})`);
      return active(s, target);
    },
  },
};
