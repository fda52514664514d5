// SPDX-License-Identifier: Apache-2.0
/**
 * Test support: a PodSyncer on a FakeClient and FakeRuntime, with its
 * volumes, logs and pod cgroups under the caller's directory and cgroup
 * root, as the pod-sync unit tests share it.
 */
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.js';
import { R } from '../client/client.js';
import { FakeClient } from '../client/fake-client.js';
import { EventRecorder } from '../client/event-recorder.js';
import { FakeRuntime } from './cri/fake-runtime.js';
import { ImagePuller } from './image-puller.js';
import { PodSyncer } from './pod-sync.js';
import { ProbeManager } from './probe-manager.js';
import { VolumeManager } from './volume-manager.js';

/** podSyncFixture builds a syncer for `pod` (the other objects are stored beside it) with `extra` options on top. */
export function podSyncFixture(o: { dir: string; cgroupRoot: string; pod: KubeObject; objects?: KubeObject[]; extra?: Partial<ConstructorParameters<typeof PodSyncer>[0]> }) {
  const client = new FakeClient([o.pod, ...(o.objects ?? [])]);
  const runtime = new FakeRuntime({ images: ['docker.io/library/busybox:1.35', 'busybox:1.35'] });
  const recorder = new EventRecorder(client, 'kubelet');
  const node = { cpuMilli: 2000, memoryBytes: 1 << 30, ephemeralStorageBytes: 1 << 30 };
  const syncer = new PodSyncer({
    client, runtime, images: runtime, recorder, puller: new ImagePuller(runtime, recorder, { initialMs: 1000, maxMs: 4000 }),
    probes: new ProbeManager(runtime, recorder, () => undefined),
    volumes: new VolumeManager({ client, podsDir: join(o.dir, 'pods'), memoryVolumesDir: join(o.dir, 'memory-volumes'), node }), crashBackoff: { initialMs: 60_000, maxMs: 120_000 },
    hostIP: '192.0.2.2', logRoot: join(o.dir, 'logs'), cgroupRoot: o.cgroupRoot, dns: { servers: ['10.43.0.10'], domain: 'cluster.local' },
    node, log: () => undefined, ...o.extra,
  });
  const get = async () => (await client.get(R.pods, o.pod.metadata.name!, { namespace: 'default' })) as Pod & KubeObject;
  return { client, runtime, syncer, get };
}
