// SPDX-License-Identifier: Apache-2.0
/**
 * The CRI container log format, as containerd writes it and upstream's
 * kubelet reads it (pkg/kubelet/kuberuntime/logs): one file line per write,
 * `<RFC3339Nano time> <stdout|stderr> <F|P> <content>`, where P marks a
 * partial line whose content continues in the next file line and F a full
 * line whose newline was stripped.
 */

/** CriLogLine is one parsed line of a CRI log file. */
export interface CriLogLine {
  /** time is the timestamp exactly as written (RFC3339Nano), reused verbatim for `timestamps=true`. */
  time: string;
  /** timeMs is `time` in Unix milliseconds, for `sinceTime`/`sinceSeconds` filtering. */
  timeMs: number;
  stream: 'stdout' | 'stderr';
  /** partial is true for a `P` line: its content has no newline of its own. */
  partial: boolean;
  content: Buffer;
}

const SPACE = 0x20;

/**
 * parseCriLogLine parses one file line (without its trailing newline), or
 * returns undefined for a malformed one, which the reader skips as upstream
 * does after logging it.
 */
export function parseCriLogLine(line: Buffer): CriLogLine | undefined {
  const a = line.indexOf(SPACE);
  if (a <= 0) return undefined;
  const b = line.indexOf(SPACE, a + 1);
  if (b < 0) return undefined;
  const time = line.toString('latin1', 0, a);
  const stream = line.toString('latin1', a + 1, b);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const timeMs = Date.parse(time);
  if (Number.isNaN(timeMs)) return undefined;
  // The tag field is `F` or `P`, optionally with more `:`-separated tags after it (cri-api's LogTag).
  const c = line.indexOf(SPACE, b + 1);
  const tagEnd = c < 0 ? line.length : c;
  const tag = line.toString('latin1', b + 1, tagEnd).split(':')[0];
  if (tag !== 'F' && tag !== 'P') return undefined;
  const content = c < 0 ? Buffer.alloc(0) : line.subarray(c + 1);
  return { time, timeMs, stream, partial: tag === 'P', content };
}

/**
 * renderLogLine is what the log endpoint writes for one parsed line: the
 * content, a newline unless the line is partial (so partial lines join up
 * with the next), and the timestamp prefix when asked for.
 */
export function renderLogLine(line: CriLogLine, timestamps: boolean): Buffer {
  const parts: Buffer[] = [];
  if (timestamps) parts.push(Buffer.from(`${line.time} `, 'latin1'));
  parts.push(line.content);
  if (!line.partial) parts.push(NEWLINE);
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

const NEWLINE = Buffer.from('\n');
