// SPDX-License-Identifier: Apache-2.0
/**
 * ControllerExpectations remember what a controller has just asked for
 * (pods created, pods deleted) until its informer has seen it, so a sync
 * that runs before the cache catches up does not create or delete again
 * (upstream pkg/controller/controller_utils.go, UIDTrackingControllerExpectations).
 * Expectations expire after five minutes, in case a watch event was lost.
 */
import { systemClock, type Clock } from '../client/index.js';

const EXPECTATIONS_TTL_MS = 5 * 60 * 1000;

interface Expectation {
  add: number;
  /** deletes holds the keys of pods whose deletion is not yet observed. */
  deletes: Set<string>;
  at: number;
}

/** ControllerExpectations tracks pending creations and deletions per controller key. */
export class ControllerExpectations {
  readonly #clock: Clock;
  readonly #byKey = new Map<string, Expectation>();

  constructor(clock: Clock = systemClock) {
    this.#clock = clock;
  }

  /** satisfied is true when nothing is pending for key (or the expectation expired, or none was ever set). */
  satisfied(key: string): boolean {
    const e = this.#byKey.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.deletes.size === 0) return true;
    return this.#clock.now() - e.at > EXPECTATIONS_TTL_MS;
  }

  /** expectCreations records that n creations were just sent for key. */
  expectCreations(key: string, n: number): void {
    this.#byKey.set(key, { add: n, deletes: new Set(), at: this.#clock.now() });
  }

  /** expectDeletions records which pods (by key) were just asked to go. */
  expectDeletions(key: string, podKeys: string[]): void {
    this.#byKey.set(key, { add: 0, deletes: new Set(podKeys), at: this.#clock.now() });
  }

  /** creationObserved counts one creation as seen (or as never coming, after a failed create). */
  creationObserved(key: string): void {
    const e = this.#byKey.get(key);
    if (e && e.add > 0) e.add--;
  }

  /** deletionObserved marks one pod's deletion as seen. */
  deletionObserved(key: string, podKey: string): void {
    this.#byKey.get(key)?.deletes.delete(podKey);
  }

  /** delete forgets everything about key (its controller is gone). */
  delete(key: string): void {
    this.#byKey.delete(key);
  }
}
