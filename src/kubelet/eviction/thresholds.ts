// SPDX-License-Identifier: Apache-2.0
/**
 * Eviction signals and thresholds, as upstream pkg/kubelet/eviction/api
 * and helpers.go ParseThresholdConfig: a threshold is `signal<quantity` or
 * `signal<percentage%` (of the signal's capacity); the hard defaults are
 * upstream's DefaultEvictionHard for Linux. A threshold given on the command
 * line replaces the defaults, as upstream's --eviction-hard does. A soft
 * threshold (--eviction-soft) has a grace period (--eviction-soft-grace-period,
 * `signal=duration`) it must stay met for before a pod is evicted.
 */
import { parseQuantity, Quantity } from '../../api/index.js';
import { parseDurationMs } from '../../machinery/index.js';

/** Signal names a resource the eviction manager watches. */
export type Signal = 'memory.available' | 'nodefs.available' | 'nodefs.inodesFree' | 'imagefs.available' | 'imagefs.inodesFree' | 'pid.available';

/** SIGNALS lists every signal this kubelet observes. */
export const SIGNALS: readonly Signal[] = ['memory.available', 'nodefs.available', 'nodefs.inodesFree', 'imagefs.available', 'imagefs.inodesFree', 'pid.available'];

/** Threshold is one eviction threshold: an absolute quantity or a fraction (0..1] of capacity. */
export interface Threshold {
  signal: Signal;
  quantity?: number;
  percentage?: number;
  /** gracePeriodMs makes the threshold soft: it must be met this long before a pod is evicted for it. */
  gracePeriodMs?: number;
}

/** isSoft says whether a threshold waits for a grace period (upstream: a hard threshold has GracePeriod 0). */
export function isSoft(t: Threshold): boolean {
  return t.gracePeriodMs !== undefined;
}

/** DEFAULT_EVICTION_HARD is upstream's Linux default --eviction-hard. */
export const DEFAULT_EVICTION_HARD = 'memory.available<100Mi,nodefs.available<10%,imagefs.available<15%,nodefs.inodesFree<5%';

/** ThresholdParseError says why an --eviction-hard value was refused. */
export class ThresholdParseError extends Error {}

/** parseThresholds reads a comma-separated `signal<value` list; an empty string means no thresholds. */
export function parseThresholds(spec: string): Threshold[] {
  const out: Threshold[] = [];
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-zA-Z.]+)<(.+)$/.exec(part);
    if (!m) throw new ThresholdParseError(`invalid eviction threshold "${part}": want signal<quantity or signal<percentage%`);
    const signal = m[1] as Signal;
    if (!SIGNALS.includes(signal)) throw new ThresholdParseError(`unsupported eviction signal ${m[1]}`);
    if (out.some((t) => t.signal === signal)) throw new ThresholdParseError(`found duplicate eviction threshold for signal ${signal}`);
    const value = m[2].trim();
    if (value.endsWith('%')) {
      const pct = Number(value.slice(0, -1));
      if (!Number.isFinite(pct) || pct < 0 || pct > 100) throw new ThresholdParseError(`invalid eviction threshold percentage ${value} for ${signal}`);
      // Upstream drops a 0% threshold (it would never be met).
      if (pct > 0) out.push({ signal, percentage: pct / 100 });
      continue;
    }
    let q: Quantity;
    try {
      q = parseQuantity(value);
    } catch {
      throw new ThresholdParseError(`invalid eviction threshold quantity ${value} for ${signal}`);
    }
    if (q.sign() < 0) throw new ThresholdParseError(`eviction threshold ${signal} must be positive: ${value}`);
    if (!q.isZero()) out.push({ signal, quantity: q.value() });
  }
  return out;
}

/** parseGracePeriods reads --eviction-soft-grace-period, `signal=duration,...`, as upstream parseGracePeriods. */
export function parseGracePeriods(spec: string): Map<Signal, number> {
  const out = new Map<Signal, number>();
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new ThresholdParseError(`invalid eviction grace period "${part}": want signal=duration`);
    const signal = part.slice(0, eq).trim() as Signal;
    if (!SIGNALS.includes(signal)) throw new ThresholdParseError(`unsupported eviction signal ${signal}`);
    const value = part.slice(eq + 1).trim();
    if (value.startsWith('-')) throw new ThresholdParseError(`invalid eviction grace period specified: ${value}, must be a positive value`);
    const ms = value === '0' ? 0 : parseDurationMs(value);
    if (ms === undefined || Number.isNaN(ms)) throw new ThresholdParseError(`time: invalid duration "${value}"`);
    out.set(signal, ms);
  }
  return out;
}

/**
 * parseSoftThresholds reads --eviction-soft with its grace periods; every
 * soft threshold needs one, as upstream ParseThresholdConfig requires.
 */
export function parseSoftThresholds(spec: string, gracePeriods: string): Threshold[] {
  const periods = parseGracePeriods(gracePeriods);
  return parseThresholds(spec).map((t) => {
    const gracePeriodMs = periods.get(t.signal);
    if (gracePeriodMs === undefined) throw new ThresholdParseError(`grace period must be specified for the soft eviction threshold ${t.signal}`);
    return { ...t, gracePeriodMs };
  });
}

/** Observation is a signal's current available amount and the capacity percentages are of. */
export interface Observation {
  available: number;
  capacity: number;
}

/** Observations are the signals measured in one pass (a signal the node cannot measure is absent). */
export type Observations = Map<Signal, Observation>;

/** thresholdValue is the threshold's amount for a capacity. */
export function thresholdValue(t: Threshold, capacity: number): number {
  return t.quantity ?? Math.floor((t.percentage ?? 0) * capacity);
}

/** thresholdsMet lists the thresholds whose signal is below them now. */
export function thresholdsMet(thresholds: Threshold[], observations: Observations): Threshold[] {
  return thresholds.filter((t) => {
    const o = observations.get(t.signal);
    return !!o && o.available < thresholdValue(t, o.capacity);
  });
}

/** NodeCondition is a pressure condition a signal drives. */
export type PressureCondition = 'MemoryPressure' | 'DiskPressure' | 'PIDPressure';

/** conditionOf maps a signal to its node condition, as upstream signalToNodeCondition. */
export function conditionOf(signal: Signal): PressureCondition {
  if (signal === 'memory.available') return 'MemoryPressure';
  if (signal === 'pid.available') return 'PIDPressure';
  return 'DiskPressure';
}

/** resourceOf maps a signal to the resource it reclaims, as upstream signalToResource (used in messages). */
export function resourceOf(signal: Signal): 'memory' | 'ephemeral-storage' | 'pids' | 'inodes' {
  if (signal === 'memory.available') return 'memory';
  if (signal === 'pid.available') return 'pids';
  if (signal.endsWith('inodesFree')) return 'inodes';
  return 'ephemeral-storage';
}

/** formatAmount prints an amount as upstream prints a resource.Quantity (bytes in BinarySI, counts in DecimalSI). */
export function formatAmount(signal: Signal, n: number): string {
  const bytes = signal.endsWith('.available') && signal !== 'pid.available';
  return Quantity.fromValue(Math.max(0, Math.floor(n)), bytes ? 'BinarySI' : 'DecimalSI').toString();
}
