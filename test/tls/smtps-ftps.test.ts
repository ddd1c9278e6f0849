import fs from 'node:fs/promises';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Suite, startSuite } from '../../suite/start-suite.js';
import { caFile, runTool } from './helpers.js';

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({
    protocols: ['smtp', 'ftp'],
    tls: true,
    ftpUsers: ['alice:secret'],
    files: { 'hello.txt': 'hello over ftps\n' },
  });
});
afterAll(() => suite.close());

const smtpsPort = () => suite.smtp.tlsPort ?? 0;
const ftpsPort = () => suite.ftp.tlsPort ?? 0;
const curl = (...args: string[]) => runTool('curl', ['-sS', '--max-time', '20', '--cacert', caFile(suite), ...args]);

describe('SMTPS (RFC 8314 implicit TLS) beside STARTTLS', () => {
  it('names smtps:// in the ready line', () => {
    expect(suite.smtp.urls()).toEqual([`smtp://127.0.0.1:${suite.smtp.port}`, `smtps://127.0.0.1:${smtpsPort()}`]);
  });

  it('takes a message from curl smtps:// verifying the CA, recorded as tls', async () => {
    const file = `${suite.dataDir}/mail-curl.txt`;
    await fs.writeFile(file, 'From: curl@client.test\r\nTo: to@suite.test\r\nSubject: via smtps\r\n\r\nbody\r\n');
    const sent = await curl(
      `smtps://localhost:${smtpsPort()}`,
      '--mail-from',
      'curl@client.test',
      '--mail-rcpt',
      'to@suite.test',
      '-T',
      file,
    );
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    const mail = await suite.smtp.waitForMessage((m) => m.subject === 'via smtps');
    expect(mail.envelope?.rcptTo).toEqual(['to@suite.test']);
    const record = await suite.waitFor('smtp', (r) => r.request.startsWith('MAIL FROM') && r.transport === 'tls');
    expect(record.ok).toBe(true);
  });

  it("takes a message from Python's smtplib SMTP_SSL with the default context and the CA", async () => {
    const script = `
import smtplib, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
with smtplib.SMTP_SSL('localhost', int(sys.argv[1]), context=ctx, timeout=20) as s:
    s.sendmail('py@client.test', ['to@suite.test'], b'Subject: via smtplib ssl\\r\\n\\r\\nhi\\r\\n')
    print(s.sock.version())
`;
    const out = await runTool('python3', ['-c', script, String(smtpsPort()), caFile(suite)]);
    expect(out.stderr).toBe('');
    expect(out.stdout.trim()).toMatch(/^TLSv1\.[23]$/);
    await suite.smtp.waitForMessage((m) => m.subject === 'via smtplib ssl');
  });

  it('takes a message from nodemailer with secure: true and the CA, and over STARTTLS too', async () => {
    const ca = suite.tls?.ca ?? '';
    const implicit = nodemailer.createTransport({ host: 'localhost', port: smtpsPort(), secure: true, tls: { ca } });
    await implicit.sendMail({
      from: 'nm@client.test',
      to: 'to@suite.test',
      subject: 'via nodemailer secure',
      text: 'x',
    });
    const upgraded = nodemailer.createTransport({
      host: 'localhost',
      port: suite.smtp.port,
      secure: false,
      requireTLS: true,
      tls: { ca },
    });
    await upgraded.sendMail({
      from: 'nm@client.test',
      to: 'to@suite.test',
      subject: 'via nodemailer starttls',
      text: 'x',
    });
    await suite.smtp.waitForMessage((m) => m.subject === 'via nodemailer secure');
    await suite.smtp.waitForMessage((m) => m.subject === 'via nodemailer starttls');
    // Without the CA the certificate is refused: verification is really on.
    const untrusted = nodemailer.createTransport({ host: 'localhost', port: smtpsPort(), secure: true });
    await expect(untrusted.sendMail({ from: 'a@b.test', to: 'c@d.test', text: 'x' })).rejects.toThrow(
      /unable to verify|self.signed|certificate/i,
    );
    // A name the certificate does not carry fails verification.
    const wrongName = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtpsPort(),
      secure: true,
      tls: { ca, servername: 'wrong.example.test' },
    });
    await expect(wrongName.sendMail({ from: 'a@b.test', to: 'c@d.test', text: 'x' })).rejects.toThrow(
      /altnames|does not match|Hostname/i,
    );
  });
});

describe('FTPS (implicit) beside AUTH TLS', () => {
  it('names ftps:// in the ready line', () => {
    expect(suite.ftp.urls()).toEqual([suite.ftp.url, `ftps://127.0.0.1:${ftpsPort()}`]);
  });

  it('serves curl over ftps:// with protected data connections, verifying the CA', async () => {
    const got = await curl(`ftps://localhost:${ftpsPort()}/hello.txt`);
    expect(got.stderr).toBe('');
    expect(got.stdout).toBe('hello over ftps\n');
    const file = `${suite.dataDir}/up.txt`;
    await fs.writeFile(file, 'uploaded over ftps\n');
    const put = await curl('-u', 'alice:secret', '-T', file, `ftps://localhost:${ftpsPort()}/up.txt`);
    expect(put.code).toBe(0);
    expect((await suite.ftp.readFile('up.txt')).toString()).toBe('uploaded over ftps\n');
    const prot = await suite.waitFor('ftp', (r) => r.request === 'PROT P' && r.transport === 'tls');
    expect(prot.response).toMatch(/^200/);
    const retr = await suite.waitFor('ftp', (r) => r.request === 'RETR hello.txt');
    expect(retr.transport).toBe('tls');
    expect(retr.response).toMatch(/^226/);
  });

  it("serves Python's ftplib FTP_TLS with PROT P and the CA (explicit AUTH TLS)", async () => {
    const script = `
import ftplib, io, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
ftp = ftplib.FTP_TLS(context=ctx, timeout=20)
ftp.connect('localhost', int(sys.argv[1]))
ftp.login('alice', 'secret')
ftp.prot_p()
buf = io.BytesIO()
ftp.retrbinary('RETR hello.txt', buf.write)
ftp.storbinary('STOR py.txt', io.BytesIO(b'from python'))
print(buf.getvalue().decode().strip(), ftp.sock.version())
ftp.quit()
`;
    const out = await runTool('python3', ['-c', script, String(suite.ftp.port), caFile(suite)]);
    expect(out.stderr).toBe('');
    expect(out.stdout.trim()).toMatch(/^hello over ftps TLSv1\.[23]$/);
    expect((await suite.ftp.readFile('py.txt')).toString()).toBe('from python');
  });

  it('fails curl against a name the certificate does not carry', async () => {
    const bad = await curl(
      '--resolve',
      `wrong.example.test:${ftpsPort()}:127.0.0.1`,
      `ftps://wrong.example.test:${ftpsPort()}/hello.txt`,
    );
    expect(bad.code).toBe(60);
  });
});
