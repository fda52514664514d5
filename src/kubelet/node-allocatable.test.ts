// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocatableOf, hardEvictionReservation, parseReservation } from './node-allocatable.js';
import { DEFAULT_EVICTION_HARD, parseSoftThresholds, parseThresholds } from './eviction/index.js';

const Mi = 1024 * 1024;
const Gi = 1024 * Mi;
const capacity = { cpus: 4, memoryBytes: 16 * Gi, ephemeralStorageBytes: 100 * Gi };

test('allocatable with the default hard thresholds: memory minus 100Mi, ephemeral-storage minus 10%, cpu whole', () => {
  const a = allocatableOf(capacity, [hardEvictionReservation(parseThresholds(DEFAULT_EVICTION_HARD), capacity)]);
  assert.deepEqual(a, { cpuMilli: 4000, memoryBytes: 16 * Gi - 100 * Mi, ephemeralStorageBytes: 90 * Gi });
});

test('allocatable subtracts kube-reserved, system-reserved and hard (not soft) thresholds, percentages of capacity', () => {
  const thresholds = [...parseThresholds('memory.available<5%,nodefs.available<2Gi,imagefs.available<15%'), ...parseSoftThresholds('memory.available<4Gi', 'memory.available=1m')];
  const a = allocatableOf(capacity, [
    parseReservation('cpu=500m,memory=1Gi,ephemeral-storage=1Gi,pid=1000', 'kube-reserved'),
    parseReservation('cpu=250m,memory=512Mi', 'system-reserved'),
    hardEvictionReservation(thresholds, capacity),
  ]);
  assert.deepEqual(a, { cpuMilli: 3250, memoryBytes: 16 * Gi - Gi - 512 * Mi - Math.floor(0.05 * 16 * Gi), ephemeralStorageBytes: 100 * Gi - Gi - 2 * Gi });
});

test('allocatable never goes below zero', () => {
  assert.deepEqual(allocatableOf(capacity, [parseReservation('cpu=8,memory=32Gi', 'kube-reserved')]), { cpuMilli: 0, memoryBytes: 0, ephemeralStorageBytes: 100 * Gi });
});

test('reservations are refused as upstream refuses them', () => {
  assert.deepEqual(parseReservation('', 'kube-reserved'), {});
  assert.throws(() => parseReservation('gpu=1', 'kube-reserved'), /--kube-reserved: cannot reserve "gpu" resource/);
  assert.throws(() => parseReservation('memory=-1Gi', 'system-reserved'), /resource quantity for "memory" cannot be negative: -1Gi/);
  assert.throws(() => parseReservation('memory', 'system-reserved'), /must be formatted as key=value/);
  assert.throws(() => parseReservation('memory=lots', 'system-reserved'), /quantities must match/);
});
