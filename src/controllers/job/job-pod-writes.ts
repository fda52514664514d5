// SPDX-License-Identifier: Apache-2.0
/**
 * The Job controller's writes to its pods: creating them, deleting active
 * ones, and removing the tracking finalizer once a pod is counted (upstream
 * job_controller.go manageJob and removeTrackingFinalizerFromPods).
 */
import { R, keyOf, type Client, type EventRecorder } from '../../client/index.js';
import { isConflict, isNotFound } from '../../machinery/index.js';
import type { ControllerExpectations } from '../expectations.js';
import { JOB_TRACKING_FINALIZER, newJobPod, type JobObj, type PodObj } from './job-pod.js';

/** Event reasons, as upstream. */
export const SuccessfulCreate = 'SuccessfulCreate';
export const FailedCreate = 'FailedCreate';
export const SuccessfulDelete = 'SuccessfulDelete';
export const Completed = 'Completed';
export const Suspended = 'Suspended';
export const Resumed = 'Resumed';

/** JobPodWrites makes a Job controller's pod writes. */
export class JobPodWrites {
  readonly #client: Client;
  readonly #recorder: EventRecorder;
  readonly #expectations: ControllerExpectations;

  constructor(client: Client, recorder: EventRecorder, expectations: ControllerExpectations) {
    this.#client = client;
    this.#recorder = recorder;
    this.#expectations = expectations;
  }

  /** createPods creates one pod per index (-1: NonIndexed), counting them in the expectations; it returns how many were created. */
    async createPods(key: string, job: JobObj, indexes: readonly number[]): Promise<number> {
    if (indexes.length === 0) return 0;
    this.#expectations.expectCreations(key, indexes.length);
    let created = 0;
    for (const ix of indexes) {
      try {
        const pod = await this.#client.create(R.pods, newJobPod(job, ix), { namespace: job.metadata.namespace });
        void this.#recorder.event(job, 'Normal', SuccessfulCreate, `Created pod: ${pod.metadata.name}`);
        created++;
      } catch (err) {
        for (let i = created; i < indexes.length; i++) this.#expectations.creationObserved(key);
        void this.#recorder.event(job, 'Warning', FailedCreate, `Error creating: ${(err as Error).message}`);
        throw err;
      }
    }
    return created;
  }

  /** deleteActive deletes pods, counting them in the expectations; it returns how many were deleted. */
    async deleteActive(key: string, job: JobObj, pods: readonly PodObj[]): Promise<number> {
    if (pods.length === 0) return 0;
    this.#expectations.expectDeletions(key, pods.map((p) => keyOf(p)));
    let deleted = 0;
    for (const p of pods) {
      try {
        await this.#client.delete(R.pods, p.metadata.name!, { namespace: p.metadata.namespace, preconditions: { uid: p.metadata.uid } });
        void this.#recorder.event(job, 'Normal', SuccessfulDelete, `Deleted pod: ${p.metadata.name}`);
        deleted++;
      } catch (err) {
        this.#expectations.deletionObserved(key, keyOf(p));
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
    return deleted;
  }

  /** removeFinalizers drops our finalizer from pods; it returns the uids now released (or gone). */
  async removeFinalizers(pods: readonly PodObj[]): Promise<Set<string>> {
    const done = new Set<string>();
    for (const p of pods) {
      const patch = { metadata: { [`$deleteFromPrimitiveList/finalizers`]: [JOB_TRACKING_FINALIZER] } };
      try {
        await this.#client.patch(R.pods, p.metadata.name!, 'strategic', patch, { namespace: p.metadata.namespace });
        done.add(p.metadata.uid!);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        done.add(p.metadata.uid!);
      }
    }
    return done;
  }
}
