/**
 * A raw FTP control connection for hostile tests: send exact bytes, read exact replies.
 * @module
 */
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { RawClient } from '../helpers/raw-client.js';

export class RawFtp {
  readonly client: RawClient;
  #read = 0;

  private constructor(client: RawClient) {
    this.client = client;
  }

  /** Connects and consumes the 220 greeting. */
  static async connect(port: number, localAddress?: string): Promise<RawFtp> {
    const raw = new RawFtp(await RawClient.connect(port, '127.0.0.1', localAddress));
    await raw.reply();
    return raw;
  }

  /** The next complete reply (multi-line replies whole); its final line starts `CODE `. */
  async reply(timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rest = this.client.text.slice(this.#read);
      const m = /^(\d{3})(?: .*\r\n|-[\s\S]*?\r\n\1 .*\r\n)/.exec(rest);
      if (m) {
        this.#read += m[0].length;
        return m[0];
      }
      if (this.client.socket.destroyed) throw new Error(`closed; unread: ${JSON.stringify(rest)}`);
      if (Date.now() > deadline) throw new Error(`no reply; unread: ${JSON.stringify(rest)}`);
      await sleep(5);
    }
  }

  /** Sends one command line and returns its reply. */
  async cmd(line: string): Promise<string> {
    this.client.send(`${line}\r\n`);
    return this.reply();
  }

  async login(user: string, pass: string): Promise<void> {
    await this.cmd(`USER ${user}`);
    const r = await this.cmd(`PASS ${pass}`);
    if (!r.startsWith('230')) throw new Error(`login failed: ${r}`);
  }

  /** EPSV and a connected data socket. */
  async passive(localAddress?: string): Promise<net.Socket> {
    const r = await this.cmd('EPSV');
    const port = Number(/\(\|\|\|(\d+)\|\)/.exec(r)?.[1]);
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port, ...(localAddress ? { localAddress } : {}) }, () => resolve(s));
      s.once('error', reject);
    });
  }

  close(): void {
    this.client.destroy();
  }
}
