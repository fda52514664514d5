// SPDX-License-Identifier: Apache-2.0
// bridgeExec between a v5 WebSocket client and a fake runtime streaming
// server that speaks remotecommand v4 over SPDY/3.1 as containerd does:
// it answers the upgrade, waits for the streams, and writes the Status on
// the error stream before dropping the connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { bridgeExec, Channel, type ExecStreams } from './exec-bridge.js';
import { SpdySession, type SpdyStream } from './spdy-session.js';

const EXIT_3 = JSON.stringify({ metadata: {}, status: 'Failure', message: 'command terminated with non-zero exit code', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } });

interface FakeRuntime {
  url: string;
  resizes: string[];
  upgradeHeaders: Record<string, string | string[] | undefined>[];
  close(): void;
}

/** fakeRuntime upper-cases stdin to stdout; at stdin's end it writes "done" to stderr and exits 3. */
async function fakeRuntime(expected: string[]): Promise<FakeRuntime> {
  const resizes: string[] = [];
  const upgradeHeaders: FakeRuntime['upgradeHeaders'] = [];
  const server: Server = createServer((_req, res) => res.writeHead(400).end());
  server.on('upgrade', (req, socket: Socket) => {
    upgradeHeaders.push(req.headers);
    socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n');
    const streams = new Map<string, SpdyStream>();
    const session = new SpdySession({
      send: (b) => void socket.write(b),
      onstream: (s) => {
        streams.set(s.headers.streamtype, s);
        if (expected.every((t) => streams.has(t))) run(streams);
      },
    });
    socket.on('data', (b: Buffer) => session.receive(b));
    const run = (all: Map<string, SpdyStream>) => {
      const resize = all.get('resize');
      if (resize) resize.ondata = (b) => resizes.push(b.toString());
      const stdin = all.get('stdin')!;
      stdin.ondata = (b) => all.get('stdout')!.write(Buffer.from(b.toString().toUpperCase()));
      stdin.onend = () => {
        all.get('stderr')?.write(Buffer.from('done'));
        all.get('error')!.write(Buffer.from(EXIT_3));
        setTimeout(() => socket.destroy(), 10);
      };
    };
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/exec/token`, resizes, upgradeHeaders, close: () => server.close() };
}

/** runClient connects a v5 client through bridgeExec, sends `messages`, and collects what comes back until close. */
async function runClient(runtimeURL: string, want: ExecStreams, messages: Buffer[], opts: { text?: boolean } = {}): Promise<{ channel: number; text: string }[]> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', skipUTF8Validation: true });
  wss.on('connection', (ws) => bridgeExec(ws, runtimeURL, want));
  await new Promise((r) => wss.once('listening', r));
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, ['v5.channel.k8s.io']);
  const got: { channel: number; text: string }[] = [];
  client.on('message', (m: Buffer) => got.push({ channel: m[0], text: m.subarray(1).toString() }));
  // Sent right away: the bridge must queue them until the runtime's streams are ready.
  client.on('open', () => messages.forEach((m) => client.send(m, { binary: !opts.text })));
  await new Promise((r) => client.on('close', r));
  wss.close();
  return got;
}

const msg = (channel: number, data: string | number[]) => Buffer.concat([Buffer.from([channel]), Buffer.from(data as string)]);

test('bridgeExec: stdin reaches the runtime, its v5 close becomes EOF, the exit status comes back on channel 3', { timeout: 5000 }, async () => {
  const rt = await fakeRuntime(['error', 'stdin', 'stdout', 'stderr']);
  try {
    const got = await runClient(rt.url, { stdin: true, stdout: true, stderr: true, tty: false }, [msg(Channel.STDIN, 'hello '), msg(Channel.STDIN, 'world'), msg(Channel.CLOSE, [Channel.STDIN])]);
    const on = (c: number) => got.filter((g) => g.channel === c).map((g) => g.text).join('');
    assert.equal(on(Channel.STDOUT), 'HELLO WORLD');
    assert.equal(on(Channel.STDERR), 'done');
    assert.deepEqual(JSON.parse(on(Channel.STATUS)).details.causes, [{ reason: 'ExitCode', message: '3' }]);
    assert.equal(got.at(-1)?.channel, Channel.STATUS, 'the status is the last message');
    assert.equal(rt.upgradeHeaders[0]['upgrade'], 'SPDY/3.1');
    assert.equal(rt.upgradeHeaders[0]['x-stream-protocol-version'], 'v4.channel.k8s.io');
  } finally {
    rt.close();
  }
});

test('bridgeExec: stdin in text frames (the Python client) is read like binary frames: first byte is the channel', { timeout: 5000 }, async () => {
  const rt = await fakeRuntime(['error', 'stdin', 'stdout', 'stderr']);
  try {
    const got = await runClient(rt.url, { stdin: true, stdout: true, stderr: true, tty: false }, [msg(Channel.STDIN, 'text '), msg(Channel.STDIN, 'frames'), msg(Channel.CLOSE, [Channel.STDIN])], { text: true });
    assert.equal(got.filter((g) => g.channel === Channel.STDOUT).map((g) => g.text).join(''), 'TEXT FRAMES');
  } finally {
    rt.close();
  }
});

test('bridgeExec: a tty opens a resize stream instead of stderr and forwards resize messages', { timeout: 5000 }, async () => {
  const rt = await fakeRuntime(['error', 'stdin', 'stdout', 'resize']);
  try {
    const size = '{"Width":101,"Height":33}';
    const got = await runClient(rt.url, { stdin: true, stdout: true, stderr: true, tty: true }, [msg(Channel.RESIZE, size), msg(Channel.STDIN, 'x'), msg(Channel.CLOSE, [Channel.STDIN])]);
    assert.deepEqual(rt.resizes, [size]);
    assert.equal(got.filter((g) => g.channel === Channel.STDOUT).map((g) => g.text).join(''), 'X');
  } finally {
    rt.close();
  }
});

test('bridgeExec: a runtime that cannot be reached is reported on the status channel', { timeout: 5000 }, async () => {
  const got = await runClient('http://127.0.0.1:1/exec/nothing', { stdin: false, stdout: true, stderr: false, tty: false }, []);
  assert.equal(got.length, 1);
  assert.equal(got[0].channel, Channel.STATUS);
  assert.match(JSON.parse(got[0].text).message, /error dialing the container runtime's stream/);
});
