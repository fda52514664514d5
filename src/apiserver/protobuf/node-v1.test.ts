// SPDX-License-Identifier: Apache-2.0
/** node.k8s.io/v1 RuntimeClass in protobuf (upstream generated.proto field numbers). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtobufObject } from './index.js';
import { WireWriter as W, protobufEnvelope } from './wire-writer.js';

test('a RuntimeClass with handler, overhead and scheduling decodes to its JSON form', () => {
  const overhead = new W().mapEntry(1, 'cpu', new W().string(1, '250m'));
  const toleration = new W().string(1, 'sandbox').string(2, 'Exists').string(4, 'NoSchedule');
  const scheduling = new W().mapEntry(1, 'sandbox', 'kata').message(2, toleration);
  const rc = new W().message(1, new W().string(1, 'kata')).string(2, 'kata-qemu').message(3, overhead).message(4, scheduling);
  assert.deepEqual(decodeProtobufObject(protobufEnvelope('node.k8s.io/v1', 'RuntimeClass', rc)), {
    apiVersion: 'node.k8s.io/v1',
    kind: 'RuntimeClass',
    metadata: { name: 'kata' },
    handler: 'kata-qemu',
    overhead: { podFixed: { cpu: '250m' } },
    scheduling: { nodeSelector: { sandbox: 'kata' }, tolerations: [{ key: 'sandbox', operator: 'Exists', effect: 'NoSchedule' }] },
  });
});
