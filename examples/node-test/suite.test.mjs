// minisuite with Node's own test runner, importing the built package by its name exactly as a
// project that installed it would (npm test builds first). Run: node --test examples/node-test/
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { after, before, test } from 'node:test';
import { startSuite } from 'minisuite';
import { sendMail } from 'minisuite/smtp';

let suite;
before(async () => {
  suite = await startSuite({ protocols: ['smtp', 'dns'], records: ['db.suite.test. 60 IN A 10.9.8.7'] });
});
after(() => suite.close());

test('a mail sent with the minisuite client is captured', async () => {
  await sendMail({
    port: suite.smtp.port,
    from: 'app@example.test',
    to: ['ops@example.test'],
    subject: 'Disk full',
    text: 'at 99%',
  });
  const mail = await suite.smtp.waitForMessage((m) => m.subject === 'Disk full');
  assert.equal(mail.text?.trim(), 'at 99%');
  assert.deepEqual(mail.to, ['ops@example.test']);
});

test('a name resolves through the suite DNS', async () => {
  const resolver = new Resolver();
  resolver.setServers([`127.0.0.1:${suite.dns.port}`]);
  assert.deepEqual(await resolver.resolve4('db.suite.test'), ['10.9.8.7']);
  const record = await suite.waitFor('dns', (r) => r.request === 'A db.suite.test');
  assert.equal(record.response, 'NOERROR A 10.9.8.7');
});
