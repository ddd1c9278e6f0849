/**
 * One FTP control connection: its state (login, working directory, data-channel setup, TLS
 * protection), the command loop and the transfer runner. Command handlers live in
 * `commands-*.ts`; they return replies, or a transfer job that this runs in the background so
 * ABOR and STAT stay answerable mid-transfer (RFC 959 §4.1.3).
 * @module
 */
import type net from 'node:net';
import type tls from 'node:tls';
import { errorMessage, isPeerReset } from '../../shared/errors.js';
import { connectionFault } from '../../shared/faults/connection-gate.js';
import type { FaultHit } from '../../shared/faults/engine.js';
import { type FaultAction, splitReply } from '../../shared/faults/rule.js';
import { applyToxics, cutReadsAfter, hasToxics, type ToxicHandle } from '../../shared/faults/toxic-socket.js';
import { type LineEvent, LineReader } from '../../shared/line-reader.js';
import { type OpenExchange, Recorder } from '../../shared/recorder.js';
import type { TcpConnection } from '../../shared/tcp-server.js';
import { upgradeServerSocket } from '../../shared/tls.js';
import type { Permission } from './accounts.js';
import { type HostPort, parseCommand } from './command-parser.js';
import { connectActive, DataChannelError, type PassiveListener } from './data-channel.js';
import { failureReply } from './failures.js';
import { appliesToCommand, CONNECT, commandTarget, isDataFault } from './faults.js';
import { DEFAULT_FACTS, type MlstFact } from './list-format.js';
import type { LoginThrottle } from './login-throttle.js';
import type { ResolvedFtpOptions } from './options.js';
import { formatReply, isPositive, type Reply, reply, summarizeReply } from './replies.js';
import type { Sandbox } from './sandbox.js';

/** How long a finished data connection may linger before it is destroyed. */
export const DATA_CLOSE_WAIT_MS = 10_000;

/** What every session of one server shares. */
export interface SessionHost {
  readonly options: ResolvedFtpOptions;
  readonly sandbox: Sandbox;
  /** The sandbox of each account with a home other than `/`, by name. */
  readonly homes: ReadonlyMap<string, Sandbox>;
  readonly secureContext: tls.SecureContext | undefined;
  /** Folder for STOR temporary files. */
  readonly uploadDir: string;
  /** The verbs the server knows; given by the server, so this module depends on no handler. */
  readonly commands: CommandTable;
  /** Failed logins of the whole server, per client address. */
  readonly logins: LoginThrottle;
}

/** Moves data over an open data connection; resolves with the final reply (226...). */
export interface TransferJob {
  readonly kind: 'transfer';
  /** Text of the 150 reply sent once the data connection is open. */
  readonly opening: string;
  /**
   * Text of the 125 sent instead when the client had already connected to the passive port
   * before the command (RFC 959 §4.2, as pyftpdlib answers); default "Data connection already open...".
   */
  readonly readyText?: string;
  run(data: net.Socket | tls.TLSSocket, context: TransferContext): Promise<Reply>;
  /** Called when the transfer fails or is aborted (remove temporary files...). */
  cleanup?(): Promise<void>;
}

/** Byte counters of the exchange and whether the transfer was aborted (ABOR, control closed). */
export interface TransferContext {
  bytesIn: number;
  bytesOut: number;
  readonly aborted: () => boolean;
}

export type Outcome = Reply | TransferJob;

/** One verb of the command table (`commands.ts` assembles it from `commands-*.ts`). */
export interface CommandSpec {
  readonly handler: (session: FtpSession, arg: string) => Outcome | Promise<Outcome>;
  /** Needs a logged-in user; default true (RFC 959: 530 before login). */
  readonly auth?: boolean;
  /** The permission letter it needs (pyftpdlib's, see accounts.ts): 550 for an account without it. */
  readonly perm?: Permission;
  /**
   * 'required': an empty argument gets 501; 'none': any argument gets 501 (RFC 959 §5.3.1 gives
   * these verbs no parameter; pyftpdlib refuses one the same way). Checked before the login, as
   * pyftpdlib does: a malformed command is a syntax error whoever sends it.
   */
  readonly arg?: 'required' | 'none';
}

export type CommandTable = Readonly<Record<string, CommandSpec>>;

/** Who is logged in on a session (not an account: the accounts are `shared/account.ts`'s). */
export interface Login {
  readonly name: string;
  /** Its permission letters. */
  readonly perms: string;
  /** Whether any letter lets it change the file system. */
  readonly writable: boolean;
  /** Its home: the sandbox whose root is its `/`. */
  readonly sandbox: Sandbox;
}

function isTransfer(outcome: Outcome): outcome is TransferJob {
  return 'kind' in outcome;
}

/** Verbs answered at once even while a transfer runs. */
const DURING_TRANSFER = new Set(['ABOR', 'STAT']);

export class FtpSession {
  readonly conn: TcpConnection;
  readonly host: SessionHost;
  /** USER given, PASS pending. */
  pendingUser: string | undefined;
  account: Login | undefined;
  /** Virtual working directory. */
  cwd = '/';
  /**
   * REST offset for the next RETR/STOR (RFC 3659 §5): kept until a RETR or STOR uses it (or a new
   * login), whatever commands come in between, as pyftpdlib and vsftpd keep it.
   */
  restOffset = 0;
  /** RNFR source, kept until RNTO (or a new RNFR or login), as both pyftpdlib and vsftpd keep it. */
  renameFrom: { real: string; virtual: string } | undefined;
  /** TYPE in force: RFC 959 §3.1.1.5 makes ASCII the default; 'I' is image (binary). */
  type: 'A' | 'I' = 'A';
  /** EPSV ALL given: PORT, EPRT and PASV are refused from now on (RFC 2428 §4). */
  epsvAll = false;
  /** PBSZ seen after AUTH TLS; PROT P in force (RFC 4217 §8-9). */
  pbsz = false;
  protectData = false;
  /** MLST/MLSD facts chosen with OPTS MLST. */
  facts: MlstFact[] = [...DEFAULT_FACTS];
  loginFailures = 0;
  #passive: PassiveListener | undefined;
  /** The passive listener a transfer is waiting on. */
  #accepting: PassiveListener | undefined;
  #active: HostPort | undefined;
  #badCommands = 0;
  #transfer: Promise<void> | undefined;
  #data: net.Socket | undefined;
  #aborted = false;
  #after: (() => void | Promise<void>)[] = [];
  #reader: LineReader;
  #recorder: Recorder;

  /** The file system this session sees: its account's home, or the root before login. */
  get sandbox(): Sandbox {
    return this.account?.sandbox ?? this.host.sandbox;
  }

  constructor(conn: TcpConnection, host: SessionHost) {
    this.conn = conn;
    this.host = host;
    this.#recorder = new Recorder(host.options.log, {
      protocol: 'ftp',
      side: 'server',
      transport: 'tcp',
      session: conn.id,
      peer: conn.peer,
    });
    // The control connection is a Telnet NVT (RFC 959 §4.1.3): bare CR ends a command, IAC commands go.
    this.#reader = new LineReader((event) => this.#onLine(event), {
      maxLineLength: host.options.maxLineLength,
      telnet: true,
    });
    this.#reader.on('error', () => conn.close());
    conn.socket.pipe(this.#reader);
    conn.once('close', () => this.#onClose());
    // The greeting is the server's half of the first exchange (RFC 959 §5.4), recorded as SMTP's is.
    const exchange = this.#recorder.begin('(connect)');
    const greeting = reply(220, 'minisuite FTP server ready');
    const hit = this.#fault(CONNECT, '', (a) => !isDataFault(a));
    if (!hit) this.#end(exchange, greeting, this.send(greeting));
    else
      void this.#takeOver(hit, exchange).then((proceed) => {
        if (proceed) this.#end(exchange, greeting, this.send(greeting), hit.note);
      });
  }

  /** True once the control connection runs over TLS. */
  get secure(): boolean {
    return 'encrypted' in this.conn.socket;
  }

  get transferring(): boolean {
    return this.#transfer !== undefined;
  }

  /** Writes a reply; returns its size in bytes. */
  send(r: Reply): number {
    const text = formatReply(r);
    this.conn.write(text);
    return Buffer.byteLength(text);
  }

  /**
   * Forgets the login and everything tied to it (USER, REIN; RFC 959 §4.1.1): the session is as
   * it was right after the greeting, except for the TLS state of the control connection.
   */
  flushAccount(): void {
    this.account = undefined;
    this.pendingUser = undefined;
    this.cwd = '/';
    this.type = 'A';
    this.restOffset = 0;
    this.renameFrom = undefined;
    this.facts = [...DEFAULT_FACTS];
  }

  /** Runs `action` after the current command's reply is written (AUTH TLS upgrade, QUIT). */
  after(action: () => void | Promise<void>): void {
    this.#after.push(action);
  }

  /** Sets the passive listener for the next transfer, closing an unused earlier one. */
  setPassive(listener: PassiveListener): void {
    this.clearDataSetup();
    this.#passive = listener;
    // One listener per session (the previous one is closed above), and only for a bounded time.
    listener.expireAfter(this.host.options.dataConnectTimeoutMs);
  }

  setActive(target: HostPort): void {
    this.clearDataSetup();
    this.#active = target;
  }

  clearDataSetup(): void {
    this.#passive?.close();
    this.#passive = undefined;
    this.#active = undefined;
  }

  /** RFC 4217 §4: after 234 the TLS handshake runs on the control connection. */
  async upgradeControl(): Promise<void> {
    const context = this.host.secureContext;
    if (!context) return;
    const plain = this.conn.socket as net.Socket;
    plain.unpipe(this.#reader);
    try {
      const secure = await upgradeServerSocket(plain, context);
      this.conn.replaceSocket(secure);
      secure.pipe(this.#reader);
    } catch {
      this.conn.close();
    }
  }

  /** Aborts a running transfer (ABOR): its reply becomes 426; resolves when it has ended. */
  async abortTransfer(): Promise<boolean> {
    const running = this.#transfer;
    this.clearDataSetup();
    if (!running) return false;
    this.#aborted = true;
    this.#accepting?.close();
    this.#data?.destroy();
    await running;
    return true;
  }

  /**
   * Records `exchange` (its request masked by the caller) with its reply; a text stands for "no
   * reply" (a failure). The transport is the one in force now (after AUTH TLS, 'tls').
   */
  #end(exchange: OpenExchange, r: Reply | string, bytesOut: number, fault?: string): void {
    this.#recorder.transport = this.secure ? 'tls' : 'tcp';
    exchange.fault = fault ?? connectionFault(this.conn);
    exchange.end(typeof r === 'string' ? r : summarizeReply(r), typeof r !== 'string' && isPositive(r.code), bytesOut);
  }

  /** The first fault rule that fires for `verb arg` (and whose action `applies`), if any. */
  #fault(verb: string, arg: string, applies: (action: FaultAction) => boolean): FaultHit | undefined {
    const faults = this.host.options.faults;
    if (!faults?.has('ftp')) return undefined;
    const command = appliesToCommand(verb);
    return faults.decide(
      'ftp',
      {
        command: verb,
        target: commandTarget(verb, arg, this.cwd),
        peer: this.conn.remoteAddress,
        user: this.account?.name,
      },
      'exchange',
      (a) => command(a) && applies(a),
    );
  }

  /**
   * Applies a fault instead of the command: after `delayMs`, a reset, a reply (421 or `close`
   * then closes), or a close without a reply. Resolves true when only a delay was asked for and
   * the command should now run.
   */
  async #takeOver(hit: FaultHit, exchange: OpenExchange): Promise<boolean> {
    const action = hit.action;
    if (action.delayMs) await new Promise((resolve) => setTimeout(resolve, action.delayMs).unref());
    if (this.conn.closed) return false;
    if (action.reset) {
      this.#end(exchange, '(reset by fault)', 0, hit.note);
      this.conn.socket.resetAndDestroy();
      this.conn.close();
      return false;
    }
    if (action.reply !== undefined) {
      const { code, text } = splitReply(action.reply);
      // The data connection prepared for this command will not be used (425 and the like).
      this.clearDataSetup();
      const r = reply(code, text);
      this.#end(exchange, r, this.send(r), hit.note);
      if (code === 421 || action.close) this.conn.end();
      return false;
    }
    if (action.close) {
      this.#end(exchange, '(closed by fault)', 0, hit.note);
      this.conn.end();
      return false;
    }
    return true;
  }

  async #onLine(event: LineEvent): Promise<void> {
    if (this.conn.closed) return;
    if (event.error) {
      const exchange = this.#recorder.begin('(over-long line)', event.error.limit);
      const r = reply(421, 'Command line too long, closing control connection');
      this.#end(exchange, r, this.send(r));
      this.conn.end();
      return;
    }
    await this.#command(event.line);
  }

  async #command(line: string): Promise<void> {
    const { verb, arg } = parseCommand(line);
    const exchange = this.#recorder.begin(verb === 'PASS' ? 'PASS ****' : line.trim(), Buffer.byteLength(line) + 2);
    if (this.#transfer && !DURING_TRANSFER.has(verb)) await this.#transfer;
    if (this.conn.closed) return;
    const spec = this.host.commands[verb];
    let outcome: Outcome;
    this.conn.beginExchange();
    const hit = this.#fault(verb, arg, (a) => !isDataFault(a));
    if (hit && !(await this.#takeOver(hit, exchange))) {
      this.conn.endExchange();
      return;
    }
    try {
      const given = arg.trim() !== '';
      // The order of pyftpdlib's checks: unknown verb, then argument syntax, then login, then permission.
      if (!spec) outcome = reply(500, verb === '' ? 'Empty command' : `Command "${verb}" not understood.`);
      else if (spec.arg === 'required' && !given) outcome = reply(501, 'Syntax error: command needs an argument.');
      else if (spec.arg === 'none' && given) outcome = reply(501, 'Syntax error: command does not accept arguments.');
      else if (spec.auth !== false && !this.account) outcome = reply(530, 'Please login with USER and PASS');
      else if (spec.perm && !this.account?.perms.includes(spec.perm))
        outcome = reply(550, `Permission denied (${this.account?.name ?? ''} lacks '${spec.perm}')`);
      else outcome = await spec.handler(this, arg);
    } catch (err) {
      outcome = failureReply(err);
    }
    if (isTransfer(outcome)) {
      this.#startTransfer(outcome, exchange, this.#fault(verb, arg, isDataFault));
      this.conn.endExchange();
      return;
    }
    this.#end(exchange, outcome, this.send(outcome));
    this.conn.endExchange();
    if (outcome.code === 500 || outcome.code === 501 || outcome.code === 502) this.#badCommands++;
    else this.#badCommands = 0;
    const actions = this.#after.splice(0);
    for (const action of actions) await action();
    if (this.#badCommands >= this.host.options.maxBadCommands) {
      const bye = reply(421, 'Too many bad commands, closing control connection');
      this.#end(this.#recorder.begin('(too many bad commands)'), bye, this.send(bye));
      this.conn.end();
    }
  }

  #startTransfer(job: TransferJob, exchange: OpenExchange, fault: FaultHit | undefined): void {
    this.conn.beginExchange();
    this.#aborted = false;
    const counters: TransferContext = {
      bytesIn: exchange.bytesIn,
      bytesOut: 0,
      aborted: () => this.#aborted || this.conn.closed,
    };
    const finish = (r: Reply) => {
      counters.bytesOut += this.send(r);
      exchange.bytesIn = counters.bytesIn;
      this.#end(exchange, r, counters.bytesOut, fault?.note);
    };
    this.#transfer = (async () => {
      const ready = await this.#dataAlreadyOpen();
      let data: net.Socket;
      try {
        data = await this.#openData();
      } catch (err) {
        await job.cleanup?.();
        return finish(reply(425, `Cannot open data connection: ${errorMessage(err)}`));
      }
      this.#data = data;
      const idleMs = this.host.options.idleTimeoutMs;
      // A data connection on which nothing moves for the idle time is given up (426).
      if (idleMs > 0) data.setTimeout(idleMs, () => data.destroy(new DataChannelError('data connection idle')));
      counters.bytesOut += this.send(
        ready
          ? reply(125, job.readyText ?? 'Data connection already open. Transfer starting.')
          : reply(150, job.opening),
      );
      let final: Reply;
      try {
        let channel: net.Socket | tls.TLSSocket = data;
        if (this.protectData && this.host.secureContext) {
          const secure = await upgradeServerSocket(data, this.host.secureContext);
          channel = secure;
          this.#data = channel;
          if (this.host.options.requireTlsSessionReuse && !secure.isSessionReused()) throw new NotResumedError();
        }
        if (counters.aborted()) throw new DataChannelError('aborted');
        final = fault ? await runFaulted(job, channel, counters, fault.action) : await job.run(channel, counters);
        if (!fault) closeData(channel);
      } catch (err) {
        await job.cleanup?.();
        data.destroy();
        final =
          err instanceof NotResumedError
            ? reply(522, err.message)
            : isDataFailure(err) || counters.aborted()
              ? reply(426, 'Connection closed; transfer aborted')
              : failureReply(err);
      }
      this.#data = undefined;
      finish(final);
    })().finally(() => {
      this.#transfer = undefined;
      this.conn.endExchange();
    });
  }

  /**
   * True when the client connected to the passive port before sending the transfer command (what
   * clients such as ftplib, curl and lftp do). A connection the kernel has already completed may
   * still wait in this loop turn's poll results, hence one turn of waiting when none is seen yet.
   */
  async #dataAlreadyOpen(): Promise<boolean> {
    const passive = this.#passive;
    if (!passive) return false;
    if (!passive.connected) await new Promise((resolve) => setImmediate(resolve));
    return passive.connected && this.#passive === passive;
  }

  #openData(): Promise<net.Socket> {
    const passive = this.#passive;
    const active = this.#active;
    this.#passive = undefined;
    this.#active = undefined;
    const timeout = this.host.options.dataConnectTimeoutMs;
    if (passive) {
      // Kept so that ABOR or a lost control connection can stop the wait at once.
      this.#accepting = passive;
      return passive.accept(timeout).finally(() => {
        passive.close();
        this.#accepting = undefined;
      });
    }
    if (active) return connectActive(active, this.conn.localAddress, timeout);
    return Promise.reject(new DataChannelError('use PORT, EPRT, PASV or EPSV first'));
  }

  #onClose(): void {
    this.#aborted = true;
    this.#accepting?.close();
    this.#data?.destroy();
    this.clearDataSetup();
  }
}

/** A protected data connection that did not resume the control connection's TLS session (vsftpd's 522). */
class NotResumedError extends Error {
  constructor() {
    super('Data connection must resume the TLS session of the control connection');
  }
}

/** True for failures of the data connection itself (reset, premature close, TLS), not of the file system. */
function isDataFailure(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return isPeerReset(err) || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'MS_TLS' || code === 'MS_PROTOCOL';
}

/**
 * Ends a finished data connection without waiting for the client: many clients (curl) close
 * their side only after the 226. A connection that lingers is destroyed after a while.
 */
function closeData(socket: net.Socket | tls.TLSSocket): void {
  if (!socket.writableEnded) socket.end();
  if (socket.closed) return;
  const timer = setTimeout(() => socket.destroy(), DATA_CLOSE_WAIT_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/** Waits for `ms`, unless the data connection closes first. */
function pause(data: net.Socket, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    timer.unref();
    data.once('close', done);
    function done() {
      clearTimeout(timer);
      data.off('close', done);
      resolve();
    }
  });
}

/**
 * Runs a transfer under a data fault (faults.ts): a stall (`drop`) that never sends, or the
 * job with toxics on what the server sends and a cut after N bytes either way. The final reply
 * waits until the data connection has finished or been cut, so a cut transfer is never a 226.
 */
async function runFaulted(
  job: TransferJob,
  data: net.Socket | tls.TLSSocket,
  ctx: TransferContext,
  action: FaultAction,
): Promise<Reply> {
  if (action.delayMs) await pause(data, action.delayMs);
  if (action.drop) {
    // Nothing moves until the client, ABOR or the idle timeout ends the data connection.
    if (!data.destroyed) await new Promise((resolve) => data.once('close', resolve));
    throw new DataChannelError('stalled by fault');
  }
  const cut = () => new DataChannelError(`cut after ${action.closeAfterBytes} bytes by fault`);
  let toxic: ToxicHandle | undefined;
  if (hasToxics(action)) toxic = applyToxics(data, action);
  if (action.closeAfterBytes !== undefined) cutReadsAfter(data, action.closeAfterBytes, cut);
  const final = await job.run(data, ctx);
  closeData(data);
  if (!data.closed && !data.writableFinished)
    await new Promise<void>((resolve) => {
      const done = () => resolve();
      data.once('finish', done);
      data.once('close', done);
    });
  if (toxic?.cut || (data.destroyed && !data.writableFinished)) throw cut();
  return final;
}
