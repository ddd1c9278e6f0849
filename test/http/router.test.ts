import { describe, expect, it } from 'vitest';
import { parseHeaderArg } from '../../protocols/http/client.js';
import { HttpError } from '../../protocols/http/replies.js';
import { matchPath } from '../../protocols/http/router.js';

describe('matchPath', () => {
  const cases: [string, string, Record<string, string> | undefined][] = [
    ['/healthz', '/healthz', {}],
    ['/healthz', '/healthz/', undefined],
    ['/healthz', '/health', undefined],
    ['/api/mail/:id', '/api/mail/abc', { id: 'abc' }],
    ['/api/mail/:id', '/api/mail/a%20b', { id: 'a b' }],
    ['/api/mail/:id', '/api/mail/', undefined],
    ['/api/mail/:id', '/api/mail', undefined],
    ['/api/mail/:id/raw', '/api/mail/x/raw', { id: 'x' }],
    ['/files/*', '/files', { '*': '' }],
    ['/files/*', '/files/', { '*': '' }],
    ['/files/*', '/files/a/b%20c', { '*': 'a/b%20c' }],
    ['/files/*', '/filesx', undefined],
    ['/a/:x/*', '/a/b%20/c/d', { x: 'b ', '*': 'c/d' }],
    ['/a/:x/*', '/a/b', { x: 'b', '*': '' }],
    ['/a/:x/*', '/a', undefined],
    ['/files/*', '/files', { '*': '' }],
    ['/files/*', '/files/', { '*': '' }],
    ['/files/*', '/files//a/', { '*': '/a/' }],
    // Only a route whose literal segments all match decodes its parameters.
    ['/api/mail/:id/raw', '/api/mail/%zz/other', undefined],
  ];
  for (const [pattern, path, expected] of cases) {
    it(`${pattern} ~ ${path}`, () => {
      expect(matchPath(pattern.split('/'), path.split('/'))).toEqual(expected);
      // Given the path, the rest after `*` is sliced from it instead of re-joined: same answer.
      expect(matchPath(pattern.split('/'), path.split('/'), path)).toEqual(expected);
    });
  }
  it('refuses malformed percent-encoding in a parameter with 400', () => {
    expect(() => matchPath('/api/mail/:id'.split('/'), '/api/mail/%zz'.split('/'))).toThrow(HttpError);
  });
});

describe('parseHeaderArg', () => {
  it('splits Name: value', () => {
    expect(parseHeaderArg('X-Test:  a: b ')).toEqual(['X-Test', 'a: b']);
  });
  for (const bad of ['X-Test: a\r\nInjected: 1', 'X: \n', 'X: a\0', 'no colon', ': empty name', 'Bad Name: x']) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      expect(() => parseHeaderArg(bad)).toThrow();
    });
  }
});
