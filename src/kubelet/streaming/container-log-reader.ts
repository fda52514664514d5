// SPDX-License-Identifier: Apache-2.0
/**
 * Reading a container's CRI log file for `kubectl logs`, as upstream's
 * kuberuntime ReadLogs does: start at the tail, filter by time, strip the
 * CRI prefix, stop at limitBytes, and with `follow` keep reading as the
 * container writes, reopening the path when the kubelet rotates the file
 * (rename + ReopenContainerLog), until the container stops running.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseCriLogLine, renderLogLine } from './cri-log.js';
import type { LogOptions } from '../../api/index.js';

/** LogSink receives output; the promise resolves once the consumer can take more (back-pressure). */
export type LogSink = (chunk: Buffer) => Promise<void>;

/** FollowControl tells a following reader when to stop. */
export interface FollowControl {
  /** running is asked whenever the reader is at the end of the file; false ends the stream once drained. */
  running(): Promise<boolean>;
  signal?: AbortSignal;
  /** pollMs is how often a following reader looks for new data (default 100 ms). */
  pollMs?: number;
}

const CHUNK = 64 * 1024;
const NL = 0x0a;

/**
 * tailOffset is the byte offset where the last `lines` file lines of `fh`
 * start, reading backwards in chunks so a large log costs only its tail.
 */
export async function tailOffset(fh: FileHandle, size: number, lines: number): Promise<number> {
  if (lines === 0) return size;
  let seen = 0;
  let end = size;
  const buf = Buffer.allocUnsafe(CHUNK);
  while (end > 0) {
    const start = Math.max(0, end - CHUNK);
    const { bytesRead } = await fh.read(buf, 0, end - start, start);
    for (let i = bytesRead - 1; i >= 0; i--) {
      const pos = start + i;
      // The newline that ends the file's last line does not start a line.
      if (buf[i] !== NL || pos === size - 1) continue;
      if (++seen === lines) return pos + 1;
    }
    end = start;
  }
  return 0;
}

/** LogCursor walks one log file from an offset, turning complete file lines into output. */
class LogCursor {
  #pending: Buffer = Buffer.alloc(0);
  #written = 0;
  done = false;

  constructor(private readonly opts: LogOptions, private readonly sink: LogSink) {}

  /** feed takes raw file bytes; complete lines are rendered, the incomplete tail is kept. */
  async feed(data: Buffer): Promise<void> {
    let buf = this.#pending.length ? Buffer.concat([this.#pending, data]) : data;
    let start = 0;
    for (let nl = buf.indexOf(NL, start); nl >= 0 && !this.done; nl = buf.indexOf(NL, start)) {
      await this.#line(buf.subarray(start, nl));
      start = nl + 1;
    }
    buf = buf.subarray(start);
    // Copy so the caller's read buffer can be reused.
    this.#pending = Buffer.from(buf);
  }

  async #line(raw: Buffer): Promise<void> {
    const line = parseCriLogLine(raw);
    if (!line) return;
    if (this.opts.sinceMs !== undefined && line.timeMs < this.opts.sinceMs) return;
    let out = renderLogLine(line, this.opts.timestamps);
    const limit = this.opts.limitBytes;
    if (limit !== undefined && this.#written + out.length >= limit) {
      out = out.subarray(0, limit - this.#written);
      this.done = true;
    }
    this.#written += out.length;
    if (out.length) await this.sink(out);
  }
}

/**
 * readContainerLog writes the log at `path` to `sink` according to `opts`;
 * with `opts.follow` it returns only when the container stops running, the
 * signal aborts, or limitBytes is reached.
 */
export async function readContainerLog(path: string, opts: LogOptions, sink: LogSink, control: FollowControl): Promise<void> {
  const cursor = new LogCursor(opts, sink);
  let fh = await open(path, 'r');
  try {
    let offset = opts.tailLines !== undefined ? await tailOffset(fh, (await fh.stat()).size, opts.tailLines) : 0;
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      if (control.signal?.aborted || cursor.done) return;
      const { bytesRead } = await fh.read(buf, 0, CHUNK, offset);
      if (bytesRead > 0) {
        offset += bytesRead;
        await cursor.feed(buf.subarray(0, bytesRead));
        continue;
      }
      if (!opts.follow) return;
      const next = await reopened(path, fh, offset);
      if (next) {
        // Lines written between our last read and the rename are still in the old file.
        for (let r = await fh.read(buf, 0, CHUNK, offset); r.bytesRead > 0 && !cursor.done; r = await fh.read(buf, 0, CHUNK, offset)) {
          offset += r.bytesRead;
          await cursor.feed(buf.subarray(0, r.bytesRead));
        }
        await fh.close();
        fh = next;
        offset = 0;
        continue;
      }
      // Ask before sleeping: a container that stopped has written everything we just read.
      if (!(await control.running())) {
        const last = await fh.read(buf, 0, CHUNK, offset);
        if (last.bytesRead === 0) return;
        offset += last.bytesRead;
        await cursor.feed(buf.subarray(0, last.bytesRead));
        continue;
      }
      await sleep(control.pollMs ?? 100, undefined, { signal: control.signal }).catch(() => undefined);
    }
  } finally {
    await fh.close();
  }
}

/**
 * reopened returns a handle on the file now at `path` when the one we read
 * was rotated away (another inode) or truncated; undefined when unchanged or
 * when the new file does not exist yet.
 */
async function reopened(path: string, fh: FileHandle, offset: number): Promise<FileHandle | undefined> {
  const [cur, now] = await Promise.all([fh.stat(), stat(path).catch(() => undefined)]);
  if (!now) return undefined;
  if (now.ino === cur.ino && now.dev === cur.dev && now.size >= offset) return undefined;
  return open(path, 'r').catch(() => undefined);
}
