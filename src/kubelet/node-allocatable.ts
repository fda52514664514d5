// SPDX-License-Identifier: Apache-2.0
/**
 * Node allocatable, as upstream's container manager computes it
 * (pkg/kubelet/cm/node_container_manager_linux.go GetNodeAllocatableReservation
 * and hardEvictionReservation): capacity minus --kube-reserved, minus
 * --system-reserved, minus the hard eviction thresholds (memory.available
 * reserves memory, nodefs.available reserves ephemeral-storage; a percentage
 * is of the resource's capacity), never below zero. Soft thresholds reserve
 * nothing, as upstream.
 */
import { parseQuantity } from '../api/index.js';
import type { NodeAllocatable } from './downward-api.js';
import { thresholdValue, type Threshold } from './eviction/index.js';

/** ResourceReservation is an amount held back from pods (a --kube-reserved or --system-reserved value). */
export interface ResourceReservation {
  cpuMilli?: number;
  memoryBytes?: number;
  ephemeralStorageBytes?: number;
  pids?: number;
}

/** Capacity is what the machine has of the resources allocatable is computed for. */
export interface Capacity {
  cpus: number;
  memoryBytes: number;
  ephemeralStorageBytes: number;
}

/**
 * parseReservation reads `cpu=100m,memory=50Mi,ephemeral-storage=1Gi,pid=1000`,
 * as upstream's --kube-reserved/--system-reserved (a mapStringString read by
 * ParseResourceList, with its messages); flag names the flag in errors.
 */
export function parseReservation(spec: string, flag: string): ResourceReservation {
  const out: ResourceReservation = {};
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`invalid argument "${spec}" for "--${flag}" flag: ${part} must be formatted as key=value`);
    const name = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    if (!['cpu', 'memory', 'ephemeral-storage', 'pid'].includes(name)) throw new Error(`--${flag}: cannot reserve "${name}" resource`);
    let q;
    try {
      q = parseQuantity(raw);
    } catch {
      throw new Error(`--${flag}: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': ${raw}`);
    }
    if (q.sign() < 0) throw new Error(`--${flag}: resource quantity for "${name}" cannot be negative: ${raw}`);
    if (name === 'cpu') out.cpuMilli = q.milliValue();
    else if (name === 'memory') out.memoryBytes = q.value();
    else if (name === 'ephemeral-storage') out.ephemeralStorageBytes = q.value();
    else out.pids = q.value();
  }
  return out;
}

/** hardEvictionReservation is what the hard eviction thresholds hold back, as upstream's hardEvictionReservation. */
export function hardEvictionReservation(thresholds: Threshold[], capacity: Capacity): ResourceReservation {
  const out: ResourceReservation = {};
  for (const t of thresholds) {
    if (t.gracePeriodMs !== undefined) continue; // soft thresholds reserve nothing
    if (t.signal === 'memory.available') out.memoryBytes = thresholdValue(t, capacity.memoryBytes);
    else if (t.signal === 'nodefs.available') out.ephemeralStorageBytes = thresholdValue(t, capacity.ephemeralStorageBytes);
  }
  return out;
}

/** allocatableOf is capacity minus every reservation, never below zero. */
export function allocatableOf(capacity: Capacity, reservations: ResourceReservation[] = []): NodeAllocatable {
  const sum = (pick: (r: ResourceReservation) => number | undefined) => reservations.reduce((n, r) => n + (pick(r) ?? 0), 0);
  return {
    cpuMilli: Math.max(0, capacity.cpus * 1000 - sum((r) => r.cpuMilli)),
    memoryBytes: Math.max(0, capacity.memoryBytes - sum((r) => r.memoryBytes)),
    ephemeralStorageBytes: Math.max(0, capacity.ephemeralStorageBytes - sum((r) => r.ephemeralStorageBytes)),
  };
}
