// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { DnsServer } from './dns-server.js';

/** ask sends one datagram and resolves with the reply and the address it came from. */
function ask(host: string, port: number, payload: Buffer): Promise<{ reply: Buffer; from: string }> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const timer = setTimeout(() => {
      s.close();
      reject(new Error('no reply'));
    }, 2000);
    s.on('message', (reply, rinfo) => {
      clearTimeout(timer);
      s.close();
      resolve({ reply, from: rinfo.address });
    });
    s.send(payload, port, host);
  });
}

test('a specific UDP address shares the wildcard listener port and answers from that address', async () => {
  const seen: string[] = [];
  const server = new DnsServer(async (q) => {
    seen.push(q.toString());
    return Buffer.from(`re:${q.toString()}`);
  });
  try {
    const { port } = await server.listen({ host: '0.0.0.0', port: 0 });
    await server.listenUdp({ host: '127.0.0.2', port });
    const r = await ask('127.0.0.2', port, Buffer.from('q1'));
    assert.equal(r.reply.toString(), 're:q1');
    assert.equal(r.from, '127.0.0.2');
    assert.equal((await ask('127.0.0.1', port, Buffer.from('q2'))).reply.toString(), 're:q2');
    assert.deepEqual(seen, ['q1', 'q2']);
  } finally {
    await server.close();
  }
});

test('listenUdp after close gives the socket up', async () => {
  const server = new DnsServer(async () => undefined);
  const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
  await server.close();
  await server.listenUdp({ host: '127.0.0.2', port });
  // Nothing holds the port now: binding it plainly succeeds.
  const s = createSocket('udp4');
  await new Promise<void>((resolve, reject) => s.once('error', reject).bind(port, '127.0.0.2', () => resolve()));
  s.close();
});
