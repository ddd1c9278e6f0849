import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { matchesMailQuery, parseMailQuery, type SearchableMail } from '../../protocols/smtp/mail-query.js';
import { MailStore } from '../../protocols/smtp/mail-store.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await fs.rm(dir, { recursive: true, force: true });
});
async function freshStore(): Promise<MailStore> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-mailsearch-'));
  dirs.push(dir);
  const store = new MailStore(path.join(dir, 'mail'));
  await store.init();
  return store;
}

function compose(options: ConstructorParameters<typeof MailComposer>[0]): Promise<Buffer> {
  return new MailComposer(options).compile().build();
}

describe('parseMailQuery', () => {
  it.each([
    ['', []],
    ['   ', []],
    ['Hello', [{ text: 'hello', field: undefined, negated: false }]],
    [
      'from:Alice to:bob',
      [
        { text: 'alice', field: 'from', negated: false },
        { text: 'bob', field: 'to', negated: false },
      ],
    ],
    [
      'subject:"Weekly Report" -draft',
      [
        { text: 'weekly report', field: 'subject', negated: false },
        { text: 'draft', field: undefined, negated: true },
      ],
    ],
    ['"unclosed phrase', [{ text: 'unclosed phrase', field: undefined, negated: false }]],
    ['re:hello', [{ text: 're:hello', field: undefined, negated: false }]],
    [
      'FROM:x body:y cc:z',
      [
        { text: 'x', field: 'from', negated: false },
        { text: 'y', field: 'body', negated: false },
        { text: 'z', field: 'cc', negated: false },
      ],
    ],
    ['subject:""', []],
  ])('%j', (query, terms) => {
    expect(parseMailQuery(query)).toEqual(terms);
  });

  const mail: SearchableMail = {
    from: 'alice example <alice@a.test>',
    to: 'bob@b.test',
    cc: 'carol@c.test',
    bcc: 'hidden@h.test',
    subject: 'quarterly numbers',
    body: 'the figures are attached',
  };
  it.each([
    ['figures', true],
    ['FIGURES attached', true],
    ['figures missing', false],
    ['from:alice', true],
    ['from:bob', false],
    ['to:carol', true],
    ['to:hidden', true],
    ['hidden', false],
    ['cc:bob', false],
    ['subject:quarterly', true],
    ['subject:figures', false],
    ['-quarterly', false],
    ['-weekly numbers', true],
    ['"numbers quarterly"', false],
    ['"quarterly numbers"', true],
  ])('%j matches: %s', (query, expected) => {
    expect(matchesMailQuery(parseMailQuery(query), mail)).toBe(expected);
  });
});

describe('parsed messages and search over the store', () => {
  it('gives fromName, separate to/cc/bcc, and attachments with their content', async () => {
    const store = await freshStore();
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const raw = await compose({
      from: '"Alice Example" <alice@a.test>',
      to: 'bob@b.test',
      cc: 'Carol <carol@c.test>',
      subject: 'Report',
      text: 'see attached',
      html: '<p>see <img src="cid:logo@x"></p>',
      attachments: [
        { filename: 'logo.png', content: png, cid: 'logo@x' },
        { filename: 'data.bin', content: Buffer.from([0, 255, 1, 254]) },
      ],
    });
    const id = await store.deliver(raw, {
      mailFrom: 'alice@a.test',
      rcptTo: ['bob@b.test', 'carol@c.test', 'Boss@h.test'],
    });
    const mail = await store.get(id);
    expect(mail).toMatchObject({
      from: 'alice@a.test',
      fromName: 'Alice Example',
      to: ['bob@b.test'],
      cc: ['carol@c.test'],
      bcc: ['Boss@h.test'],
      subject: 'Report',
    });
    expect(mail?.attachments.map((a) => [a.filename, a.contentId, a.inline])).toEqual([
      ['logo.png', 'logo@x', true],
      ['data.bin', undefined, false],
    ]);
    expect(mail?.attachments[0]?.content.equals(png)).toBe(true);
    expect(mail?.attachments[1]?.content.equals(Buffer.from([0, 255, 1, 254]))).toBe(true);
    expect(store.index.peek(id)).toMatchObject({ fromName: 'Alice Example', attachments: 1 });
  });

  it('finds messages by body word, field and phrase; a deleted one is no longer found', async () => {
    const store = await freshStore();
    const a = await store.deliver(
      await compose({ from: 'alice@a.test', to: 'bob@b.test', subject: 'Lunch', text: 'pizza on friday' }),
    );
    const b = await store.deliver(
      await compose({
        from: 'Dave <dave@d.test>',
        to: 'bob@b.test',
        subject: 'Build failed',
        html: '<b>pipeline</b> red',
      }),
    );
    expect((await store.index.search('pizza')).map((m) => m.id)).toEqual([a]);
    expect((await store.index.search('pipeline')).map((m) => m.id)).toEqual([b]);
    expect((await store.index.search('from:dave')).map((m) => m.id)).toEqual([b]);
    expect((await store.index.search('to:bob')).map((m) => m.id)).toEqual([b, a]);
    expect((await store.index.search('subject:"build failed"')).map((m) => m.id)).toEqual([b]);
    expect((await store.index.search('to:bob -pizza')).map((m) => m.id)).toEqual([b]);
    expect(await store.index.search('nothing-like-this')).toEqual([]);
    expect(await store.delete(a)).toBe(true);
    expect(await store.index.search('pizza')).toEqual([]);
  });
});
