import { describe, expect, it } from 'vitest';
import { compileGlob, type TargetSyntax } from '../../../shared/faults/glob.js';

const PATH: TargetSyntax = { separators: '/', ignoreCase: false, optionalLeadingSlash: false };
const FTP: TargetSyntax = { separators: '/', ignoreCase: false, optionalLeadingSlash: true };
const NAME: TargetSyntax = { separators: '.', ignoreCase: true, optionalLeadingSlash: false };
const MAIL: TargetSyntax = { separators: '@', ignoreCase: true, optionalLeadingSlash: false };

const cases: [string, TargetSyntax, string, boolean][] = [
  ['/api/*', PATH, '/api/users', true],
  ['/api/*', PATH, '/api/users/1', false],
  ['/api/*', PATH, '/api/', true],
  ['/api/**', PATH, '/api/users/1', true],
  ['/api/**', PATH, '/api', true],
  ['/api/**', PATH, '/apix', false],
  ['/**/x.txt', PATH, '/x.txt', true],
  ['/**/x.txt', PATH, '/a/b/x.txt', true],
  ['/a/**/x.txt', PATH, '/a/x.txt', true],
  ['/a/**/x.txt', PATH, '/a/b/c/x.txt', true],
  ['/a**', PATH, '/abc/d', true],
  ['/files/a.txt', PATH, '/files/aXtxt', false],
  ['/Files/*', PATH, '/files/a', false],
  ['/(x)+[y]', PATH, '/(x)+[y]', true],
  ['full/*', FTP, '/full/x.txt', true],
  ['/full/*', FTP, 'full/x.txt', true],
  ['/full/*', FTP, '/full/sub/x.txt', false],
  ['full/**', FTP, '/full/sub/x.txt', true],
  ['*.suite.test', NAME, 'www.suite.test', true],
  ['*.suite.test', NAME, 'WWW.Suite.Test', true],
  ['*.suite.test', NAME, 'a.b.suite.test', false],
  ['*.suite.test', NAME, 'suite.test', false],
  ['**.suite.test', NAME, 'a.b.suite.test', true],
  ['**.suite.test', NAME, 'suite.test', true],
  ['**.suite.test', NAME, 'notsuite.test', false],
  ['*', NAME, 'com', true],
  ['*', NAME, 'a.com', false],
  ['**', NAME, 'a.b.c', true],
  ['*@blocked.test', MAIL, 'first.last@blocked.test', true],
  ['*@blocked.test', MAIL, 'bob@BLOCKED.test', true],
  ['*@blocked.test', MAIL, 'bob@notblocked.test', false],
  ['bob@*', MAIL, 'bob@x.y.test', true],
  ['*', MAIL, 'bob@x.test', false],
  ['**', MAIL, 'bob@x.test', true],
];

describe('compileGlob', () => {
  it.each(cases)('%s (%#) against %s', (glob, syntax, target, expected) => {
    expect(compileGlob(glob, syntax)(target)).toBe(expected);
  });
});
