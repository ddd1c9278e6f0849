/**
 * Node's floor for `npm run bench smtp`: a bare SMTP responder on `net`, a few dozen lines, that
 * answers every command and reads each message to its end-of-data line, storing nothing. What
 * any SMTP server in Node costs at least. Prints `ready PORT` on stdout.
 * Run: `node --import tsx bench/smtp-peers/bare-node.ts`.
 * @module
 */
import net from 'node:net';

const END_OF_DATA = Buffer.from('\r\n.\r\n');

const server = net.createServer((socket) => {
  let dataMode = false;
  let line = '';
  let tail: Buffer = Buffer.alloc(0); // the last bytes of message content, for a terminator split across chunks
  socket.on('error', () => socket.destroy());
  socket.write('220 bare ESMTP\r\n');
  socket.on('data', (chunk: Buffer) => {
    let rest = chunk;
    const replies: string[] = [];
    while (rest.length > 0) {
      if (dataMode) {
        const joined = tail.length > 0 ? Buffer.concat([tail, rest]) : rest;
        const end = joined.indexOf(END_OF_DATA);
        if (end === -1) {
          tail = joined.subarray(Math.max(0, joined.length - 4));
          break;
        }
        dataMode = false;
        tail = Buffer.alloc(0);
        replies.push('250 Accepted');
        rest = joined.subarray(end + END_OF_DATA.length);
        continue;
      }
      const nl = rest.indexOf(0x0a);
      if (nl === -1) {
        line += rest.toString('latin1');
        break;
      }
      const command = (line + rest.subarray(0, nl).toString('latin1')).trim().toUpperCase();
      line = '';
      rest = rest.subarray(nl + 1);
      if (command.startsWith('EHLO') || command.startsWith('HELO')) replies.push('250 bare');
      else if (command === 'DATA') {
        replies.push('354 End data with <CR><LF>.<CR><LF>');
        dataMode = true;
        // The terminator's leading CRLF is the one that ended the DATA line.
        tail = Buffer.from('\r\n');
      } else if (command === 'QUIT') {
        socket.end(`${[...replies, '221 Bye'].join('\r\n')}\r\n`);
        return;
      } else replies.push('250 OK');
    }
    if (replies.length > 0) socket.write(`${replies.join('\r\n')}\r\n`);
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`ready ${(server.address() as net.AddressInfo).port}\n`);
});
