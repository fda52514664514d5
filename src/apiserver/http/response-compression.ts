// SPDX-License-Identifier: Apache-2.0
/**
 * API response compression, as upstream's APIResponseCompression (on by
 * default since 1.16): a serialized answer (object, list, Table, Status,
 * discovery document) larger than 128 KiB goes out gzipped when the request
 * says `Accept-Encoding: gzip`. Streams (watch, logs, exec, attach,
 * port-forward, proxy) never come here: upstream compresses only what
 * responsewriters.SerializeObject writes.
 */
import type { IncomingMessage } from 'node:http';
import { constants, gzip } from 'node:zlib';

/**
 * GZIP_THRESHOLD_BYTES: smaller answers go out as they are, as upstream's
 * defaultGzipThresholdBytes (compressing them saves little and costs CPU).
 */
export const GZIP_THRESHOLD_BYTES = 128 * 1024;

/**
 * Level 1 (fastest), as upstream's gzipContentEncodingLevel: it costs the
 * least CPU for sizes within about 1.1–1.3x of the default level's
 * (kubernetes/kubernetes#112296), and this server shares few cores.
 */
const GZIP_OPTIONS = { level: constants.Z_BEST_SPEED };

/**
 * acceptsGzip reads Accept-Encoding as upstream's ContentEncodingSupported:
 * a comma-separated list in which one entry, trimmed, is exactly `gzip`
 * (so `gzip;q=0.5` does not count, as upstream).
 */
export function acceptsGzip(req: IncomingMessage | undefined): boolean {
  const header = req?.headers['accept-encoding'];
  if (!header) return false;
  return header.split(',').some((token) => token.trim() === 'gzip');
}

/** EncodedBody is an answer's bytes and the headers that say how they are encoded. */
export interface EncodedBody {
  body: string | Buffer;
  headers: Record<string, string>;
}

/**
 * encodeBody calls back with `text` gzipped when the request accepts gzip and
 * the text is over the threshold, else with `text` itself. The gzip runs on
 * libuv's thread pool, so the event loop keeps serving other requests while a
 * large list compresses. Should compression fail (it does not for a string),
 * the answer goes out uncompressed rather than not at all.
 */
export function encodeBody(req: IncomingMessage | undefined, text: string, byteLength: number, done: (encoded: EncodedBody) => void): void {
  if (byteLength <= GZIP_THRESHOLD_BYTES || !acceptsGzip(req)) return done({ body: text, headers: {} });
  gzip(text, GZIP_OPTIONS, (err, compressed) => {
    if (err) return done({ body: text, headers: {} });
    done({ body: compressed, headers: { 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' } });
  });
}
