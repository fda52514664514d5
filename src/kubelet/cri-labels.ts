// SPDX-License-Identifier: Apache-2.0
/**
 * The labels and annotations the kubelet puts on CRI sandboxes and
 * containers, named as upstream's pkg/kubelet/types/labels.go and
 * kuberuntime/labels.go do, so crictl, the streaming server and a restarted
 * kubelet can tell which pod and container a runtime object belongs to.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';

/** POD_NAME_LABEL is the pod name on sandboxes and containers. */
export const POD_NAME_LABEL = 'io.kubernetes.pod.name';
/** POD_NAMESPACE_LABEL is the pod namespace on sandboxes and containers. */
export const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
/** POD_UID_LABEL is the pod uid on sandboxes and containers. */
export const POD_UID_LABEL = 'io.kubernetes.pod.uid';
/** CONTAINER_NAME_LABEL is the container name on containers. */
export const CONTAINER_NAME_LABEL = 'io.kubernetes.container.name';
/** RESTART_COUNT_ANNOTATION records the restart count a container was created with. */
export const RESTART_COUNT_ANNOTATION = 'io.kubernetes.container.restartCount';
/** TERMINATION_MESSAGE_PATH_ANNOTATION is the container path of the termination message file. */
export const TERMINATION_MESSAGE_PATH_ANNOTATION = 'io.kubernetes.container.terminationMessagePath';
/** CONTAINER_IMAGE_ANNOTATION records the image the spec asked for, to notice image changes. */
export const CONTAINER_IMAGE_ANNOTATION = 'skiff.dev/container-image';
/** CONTAINER_KIND_ANNOTATION tells init containers ("init") from app containers ("app"). */
export const CONTAINER_KIND_ANNOTATION = 'skiff.dev/container-kind';
/** TERMINATION_MESSAGE_HOST_ANNOTATION is the host file bound at terminationMessagePath. */
export const TERMINATION_MESSAGE_HOST_ANNOTATION = 'skiff.dev/termination-message-host-path';

/** podLabels are the identity labels of a pod's runtime objects (plus the pod's own labels on sandboxes, as upstream). */
export function podIdentityLabels(pod: Pod): Record<string, string> {
  return {
    [POD_NAME_LABEL]: pod.metadata?.name ?? '',
    [POD_NAMESPACE_LABEL]: pod.metadata?.namespace ?? '',
    [POD_UID_LABEL]: pod.metadata?.uid ?? '',
  };
}

/** formatPod names a pod in messages as upstream's format.Pod: `name_namespace(uid)`. */
export function formatPod(pod: Pod): string {
  return `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;
}
