// SPDX-License-Identifier: Apache-2.0
/**
 * rfc3339 renders a time the way metav1.Time serializes: seconds precision,
 * UTC. Every write stamps one or two of these (creationTimestamp, the
 * managedFields entry's time), and under load many writes fall in the same
 * second, so the last second's text is kept and reused.
 */
let lastSecond = NaN;
let lastText = '';

export function rfc3339(time: Date | number): string {
  const ms = typeof time === 'number' ? time : time.getTime();
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    // toISOString is always YYYY-MM-DDTHH:MM:SS.sssZ for these years; drop the milliseconds.
    lastText = `${new Date(ms).toISOString().slice(0, 19)}Z`;
    lastSecond = second;
  }
  return lastText;
}
