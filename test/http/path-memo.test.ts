import { describe, expect, it } from 'vitest';
import { MAX_REMEMBERED_PATH } from '../../protocols/http/limits.js';
import { PathMemo } from '../../protocols/http/path-memo.js';

describe('PathMemo', () => {
  it('keeps values per scope and path', () => {
    const memo = new PathMemo<number>(4);
    memo.set('GET', '/a', 1);
    memo.set('HEAD', '/a', 2);
    expect(memo.get('GET', '/a')).toBe(1);
    expect(memo.get('HEAD', '/a')).toBe(2);
    expect(memo.get('POST', '/a')).toBeUndefined();
    memo.clear();
    expect(memo.get('GET', '/a')).toBeUndefined();
  });

  it('finds a value set after a miss in the same scope, also after the scopes started over', () => {
    const memo = new PathMemo<number>(2);
    expect(memo.get('GET', '/a')).toBeUndefined();
    memo.set('GET', '/a', 1);
    expect(memo.get('GET', '/a')).toBe(1);
    memo.set('A', '/x', 2);
    memo.set('B', '/x', 3); // a third scope: the scopes start over
    expect(memo.get('GET', '/a')).toBeUndefined();
    memo.set('GET', '/a', 4);
    expect(memo.get('GET', '/a')).toBe(4);
    expect(memo.get('B', '/x')).toBe(3);
  });

  it('never keeps a path longer than MAX_REMEMBERED_PATH', () => {
    const memo = new PathMemo<number>(4);
    const long = `/${'x'.repeat(MAX_REMEMBERED_PATH)}`;
    memo.set('', long, 1);
    expect(memo.get('', long)).toBeUndefined();
    const edge = 'x'.repeat(MAX_REMEMBERED_PATH);
    memo.set('', edge, 2);
    expect(memo.get('', edge)).toBe(2);
  });

  it('starts a scope over when it is full, and the scopes when there are too many', () => {
    const memo = new PathMemo<number>(2);
    memo.set('GET', '/1', 1);
    memo.set('GET', '/2', 2);
    memo.set('GET', '/3', 3);
    expect(memo.get('GET', '/1')).toBeUndefined();
    expect(memo.get('GET', '/3')).toBe(3);
    memo.set('A', '/x', 1);
    memo.set('B', '/x', 2);
    expect(memo.get('GET', '/3')).toBeUndefined();
    expect(memo.get('B', '/x')).toBe(2);
  });
});
