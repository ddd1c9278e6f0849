/**
 * The two DNS servers the benchmark compares, each started in its own `node` process (optionally
 * pinned to one CPU with `taskset`), each printing its UDP port as the first line on stdout.
 * - ours: the built `dist/`, started exactly as `minisuite start dns` does it (cli/start.ts):
 *   config from the same argument parser, one ExchangeLog, the pretty console attached to stderr,
 *   the same `startServices`. Stderr is /dev/null: the console formats and writes every record,
 *   only no terminal has to draw it. On SIGTERM it reports how many records it added, so the bench
 *   can prove the query log was on.
 * - the peer: the least a dns-packet server can do (decode, one A record, encode, send).
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { pinned } from './support.js';

const dist = (file: string) => JSON.stringify(new URL(`../dist/${file}`, import.meta.url).href);

function oursScript(dataDir: string): string {
  return `
const { parseStartArgs } = await import(${dist('cli/start-args.js')});
const { resolveConfig } = await import(${dist('suite/config.js')});
const { startServices } = await import(${dist('suite/runner.js')});
const { ExchangeLog } = await import(${dist('shared/exchange.js')});
const { attachConsole } = await import(${dist('shared/exchange-format.js')});
const args = parseStartArgs(['dns', '--dns-port', '0', '--data', ${JSON.stringify(dataDir)}]);
const config = resolveConfig(...args.layers);
const log = new ExchangeLog();
attachConsole(log, process.stderr, config.log, { batch: true });
const running = await startServices(config, log);
process.on('SIGTERM', async () => {
  process.stdout.write('records ' + log.total + '\\n');
  await running.close({ graceMs: 0 });
  process.exit(0);
});
process.stdout.write(running.services.get('dns').port + '\\n');`;
}

const BARE_SCRIPT = `
const dgram = require('node:dgram');
const dnsPacket = require(${JSON.stringify(new URL('../node_modules/dns-packet/index.js', import.meta.url).pathname)});
const socket = dgram.createSocket('udp4');
socket.on('message', (msg, rinfo) => {
  try {
    const q = dnsPacket.decode(msg);
    const question = q.questions && q.questions[0];
    if (!question) return;
    const answer = dnsPacket.encode({
      type: 'response',
      id: q.id || 0,
      flags: dnsPacket.AUTHORITATIVE_ANSWER,
      questions: [question],
      answers: [{ name: question.name, type: 'A', ttl: 60, data: '127.0.0.1' }],
    });
    socket.send(answer, rinfo.port, rinfo.address);
  } catch {
    // garbage in, nothing out
  }
});
process.on('SIGTERM', () => socket.close(() => process.exit(0)));
socket.bind(0, '127.0.0.1', () => process.stdout.write(socket.address().port + '\\n'));`;

export interface BenchServer {
  readonly name: string;
  readonly port: number;
  /** The node process (taskset execs it, so the pid is node's). */
  readonly pid: number;
  /** SIGTERM; resolves with what the process printed after its port line. */
  stop(): Promise<string>;
}

/** `taskset -c CPU node ...` when `cpu` is given, else plain node. */
function startNode(name: string, args: string[], cpu: number | undefined): Promise<BenchServer> {
  const [cmd, rest] = pinned(cpu, process.execPath, args);
  const devNull = fs.openSync('/dev/null', 'w');
  const child: ChildProcess = spawn(cmd, rest, { stdio: ['ignore', 'pipe', devNull] });
  fs.closeSync(devNull);
  let out = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    out += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise<BenchServer>((resolve, reject) => {
    const onData = () => {
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      child.stdout?.off('data', onData);
      const port = Number(out.slice(0, nl));
      if (!Number.isInteger(port) || port <= 0) return reject(new Error(`${name} printed ${JSON.stringify(out)}`));
      resolve({
        name,
        port,
        pid: child.pid as number,
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          await exited;
          return out.slice(nl + 1);
        },
      });
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before listening`)));
  });
}

export function startOurs(dataDir: string, cpu: number | undefined): Promise<BenchServer> {
  return startNode('minisuite', ['--input-type=module', '-e', oursScript(dataDir)], cpu);
}

export function startBare(cpu: number | undefined): Promise<BenchServer> {
  return startNode('bare dns-packet responder', ['-e', BARE_SCRIPT], cpu);
}
