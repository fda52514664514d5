// SPDX-License-Identifier: Apache-2.0
/**
 * A Deployment's rollout as steps: the deployment controller's
 * ScalingReplicaSet events ("Scaled up replica set web-7c9 to 2 from 1")
 * replayed in order give the old and new ReplicaSet sizes after each step,
 * the picture of maxSurge/maxUnavailable seed 003 drew by hand.
 */
import type { Event } from 'kubernetes-types/core/v1.js';

export interface RolloutStep {
  time: string;
  replicaSet: string;
  from: number;
  to: number;
  /** sizes holds every ReplicaSet's size after this step. */
  sizes: Record<string, number>;
}

// Upstream's message: "Scaled up replica set web-7c9 to 3 from 1" (older releases put "from 1" before "to").
const SCALED = /^Scaled (?:up|down) replica set (\S+) (?:from (\d+) )?to (\d+)(?: from (\d+))?/;

/** rolloutSteps replays a Deployment's ScalingReplicaSet events, oldest first. */
export function rolloutSteps(deploymentName: string, events: Event[]): RolloutStep[] {
  const mine = events
    .filter((e) => e.reason === 'ScalingReplicaSet' && e.involvedObject?.kind === 'Deployment' && e.involvedObject?.name === deploymentName)
    .sort((a, b) => String(a.lastTimestamp ?? a.eventTime ?? '').localeCompare(String(b.lastTimestamp ?? b.eventTime ?? '')));
  const sizes: Record<string, number> = {};
  const steps: RolloutStep[] = [];
  for (const e of mine) {
    const m = SCALED.exec(e.message ?? '');
    if (!m) continue;
    const [, rs, fromBefore, to, fromAfter] = m;
    const from = fromBefore ?? fromAfter;
    const before = from !== undefined ? Number(from) : (sizes[rs] ?? 0);
    sizes[rs] = Number(to);
    steps.push({ time: String(e.lastTimestamp ?? e.eventTime ?? ''), replicaSet: rs, from: before, to: Number(to), sizes: { ...sizes } });
  }
  return steps;
}
