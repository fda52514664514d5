// SPDX-License-Identifier: Apache-2.0
/**
 * Durations as `kubectl get` shows them (AGE, DURATION, "N (5m ago)"),
 * matching apimachinery's pkg/util/duration.HumanDuration and the printers'
 * translateTimestampSince.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * humanDuration renders a duration in milliseconds with two to three
 * significant figures: `5s`, `3m20s`, `45m`, `5h3m`, `20h`, `2d3h`, `45d`,
 * `3y12d`, `9y`. Up to two seconds in the future counts as now (`0s`, to
 * tolerate clock skew); further than that is `<invalid>`.
 */
export function humanDuration(ms: number): string {
  // Go's int(d.Seconds()) truncates toward zero: -1.9s is -1 and still "0s".
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(ms / MINUTE);
  if (minutes < 10) return withRemainder(minutes, 'm', seconds % 60, 's');
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(ms / HOUR);
  if (hours < 8) return withRemainder(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return withRemainder(days, 'd', hours % 24, 'h');
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) return withRemainder(years, 'y', days % 365, 'd');
  return `${years}y`;
}

function withRemainder(major: number, majorUnit: string, minor: number, minorUnit: string): string {
  return minor === 0 ? `${major}${majorUnit}` : `${major}${majorUnit}${minor}${minorUnit}`;
}

/**
 * timeSince renders how long ago an RFC 3339 timestamp was, relative to
 * `now`; a missing or unparsable timestamp is `<unknown>` as upstream
 * prints a zero metav1.Time.
 */
export function timeSince(timestamp: string | undefined | null, now: Date): string {
  const t = parseTime(timestamp);
  return t === undefined ? '<unknown>' : humanDuration(now.getTime() - t);
}

/** parseTime reads an RFC 3339 timestamp into epoch milliseconds, or undefined when absent or invalid. */
export function parseTime(timestamp: string | undefined | null): number | undefined {
  if (!timestamp) return undefined;
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? undefined : t;
}
