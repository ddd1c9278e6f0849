/**
 * The one account type: a name and its password, as `--ftp-user`/`--smtp-user` give them and as
 * the FTP and SMTP servers check them.
 * @module
 */
import { ConfigError } from './errors.js';

/** A login: name and password. */
export interface Account {
  readonly name: string;
  readonly pass: string;
}

/** Parses "NAME:PASS" (the password may contain ':'); a bad one is a ConfigError naming `field`. */
export function parseAccount(text: string, field: string): Account {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) throw new ConfigError(field, `expected NAME:PASS, got '${text}'`);
  const name = text.slice(0, colon);
  if (/[\s\u0000-\u001f]/.test(name)) throw new ConfigError(field, `account name '${name}' contains white space`);
  return { name, pass: text.slice(colon + 1) };
}
