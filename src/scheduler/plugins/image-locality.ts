// SPDX-License-Identifier: Apache-2.0
/**
 * ImageLocality prefers nodes that already hold the pod's images, scaled
 * between 23 MB and 1000 MB per container as upstream's
 * imagelocality/image_locality.go (without its spread-over-nodes factor).
 */
import { MAX_NODE_SCORE, type Plugin } from '../framework/plugin.js';

const MB = 1024 * 1024;
const MIN_THRESHOLD = 23 * MB;
const MAX_CONTAINER_THRESHOLD = 1000 * MB;

function normalizedImageName(image: string): string {
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  return lastPart.includes(':') || lastPart.includes('@') ? image : `${image}:latest`;
}

/** imageLocality is the ImageLocality score plugin. */
export const imageLocality: Plugin = {
  name: 'ImageLocality',
  score(_state, pod, node) {
    if (node.images.size === 0) return 0;
    const containers = pod.pod.spec?.containers ?? [];
    let sum = 0;
    for (const c of containers) sum += node.images.get(normalizedImageName(c.image ?? '')) ?? node.images.get(c.image ?? '') ?? 0;
    const max = MAX_CONTAINER_THRESHOLD * Math.max(1, containers.length);
    const clamped = Math.min(Math.max(sum, MIN_THRESHOLD), max);
    return Math.floor((MAX_NODE_SCORE * (clamped - MIN_THRESHOLD)) / (max - MIN_THRESHOLD));
  },
};
