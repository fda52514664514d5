// SPDX-License-Identifier: Apache-2.0
/**
 * A streaming tar reader that keeps only the members a caller asks for. Image
 * archives can be hundreds of MiB; finding their names needs only index.json or
 * manifest.json, so every other member is skipped without being buffered.
 * Understands ustar and GNU/PAX long names well enough for image archives.
 */
import type { Readable } from 'node:stream';

const BLOCK = 512;

function field(h: Buffer, offset: number, length: number): string {
  const raw = h.subarray(offset, offset + length);
  const nul = raw.indexOf(0);
  return raw.subarray(0, nul < 0 ? length : nul).toString('utf8');
}

function parseSize(h: Buffer): number {
  return parseInt(field(h, 124, 12).trim() || '0', 8);
}

function paxPath(data: Buffer): string | undefined {
  // PAX records: "<len> key=value\n"
  for (const line of data.toString('utf8').split('\n')) {
    const m = /^\d+ path=(.*)$/.exec(line);
    if (m) return m[1];
  }
  return undefined;
}

/** readTarMembers reads a tar stream and returns the regular files whose (normalised) names `want` accepts. */
export async function readTarMembers(stream: Readable, want: (name: string) => boolean): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  let buf: Buffer = Buffer.alloc(0);
  let skipLeft = 0; // bytes of an unwanted member still to drop from the stream
  let longName: string | undefined;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let c: Buffer = chunk;
    if (skipLeft > 0) {
      if (c.length <= skipLeft) {
        skipLeft -= c.length;
        continue;
      }
      c = c.subarray(skipLeft);
      skipLeft = 0;
    }
    buf = buf.length ? Buffer.concat([buf, c]) : c;
    while (buf.length >= BLOCK) {
      const h = buf.subarray(0, BLOCK);
      if (h.every((b) => b === 0)) return found; // end-of-archive marker
      const size = parseSize(h);
      const total = BLOCK + Math.ceil(size / BLOCK) * BLOCK;
      const type = String.fromCharCode(h[156] || 0x30);
      const prefix = field(h, 345, 155);
      const name = (longName ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100))).replace(/^\.\//, '');
      const keep = type === 'L' || type === 'x' || (type === '0' && want(name));
      if (!keep) {
        longName = undefined;
        if (buf.length < total) {
          skipLeft = total - buf.length;
          buf = Buffer.alloc(0);
        } else buf = buf.subarray(total);
        continue;
      }
      if (buf.length < total) break; // wait for the rest of a wanted member
      const data = buf.subarray(BLOCK, BLOCK + size);
      if (type === 'L') longName = data.toString('utf8').replace(/\0+$/, '');
      else if (type === 'x') longName = paxPath(data);
      else {
        found.set(name, Buffer.from(data));
        longName = undefined;
      }
      buf = buf.subarray(total);
    }
  }
  return found;
}
