/**
 * The nsd.conf for running NSD (Debian package `nsd`) as an unprivileged reference server on
 * 127.0.0.1:port with everything in one folder, no chroot, no database, no remote control, and
 * no response rate limiting (one client address sends many queries). Used by the NSD interop
 * test and the DNS flood benchmark.
 * @module
 */

export interface NsdConfOptions {
  /** The folder holding the zone files and NSD's own files (state, pid, log). */
  readonly dir: string;
  readonly port: number;
  /** Zone name → zone file name within `dir`. */
  readonly zones: Readonly<Record<string, string>>;
  /** More `server:` lines, e.g. `minimal-responses: yes`. */
  readonly server?: readonly string[];
}

export function nsdConf({ dir, port, zones, server = [] }: NsdConfOptions): string {
  const lines = [
    'server:',
    '  ip-address: 127.0.0.1',
    `  port: ${port}`,
    '  username: ""',
    '  chroot: ""',
    `  zonesdir: "${dir}"`,
    '  database: ""',
    `  zonelistfile: "${dir}/zone.list"`,
    `  xfrdfile: "${dir}/xfrd.state"`,
    `  xfrdir: "${dir}"`,
    `  pidfile: "${dir}/nsd.pid"`,
    `  logfile: "${dir}/nsd.log"`,
    '  server-count: 1',
    '  rrl-ratelimit: 0',
    '  rrl-whitelist-ratelimit: 0',
    ...server.map((line) => `  ${line}`),
    'remote-control:',
    '  control-enable: no',
  ];
  for (const [name, file] of Object.entries(zones))
    lines.push('zone:', `  name: ${name}`, `  zonefile: "${dir}/${file}"`);
  return `${lines.join('\n')}\n`;
}
