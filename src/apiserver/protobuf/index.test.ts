// SPDX-License-Identifier: Apache-2.0
// Decoder tests on bodies built field by field with the test writer, so the
// expected field numbers come from the test, not from the schema tables.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../machinery/errors.js';
import { RESOURCES, apiVersionOf } from '../../api/resources.js';
import { decodeProtobufBody, decodeProtobufObject, isProtobufKindSupported, isProtobufMediaType, PROTOBUF_MEDIA_TYPE } from './index.js';
import { WireWriter as W, protobufEnvelope } from './wire-writer.js';

const meta = (name: string, ns?: string): W => {
  const m = new W().string(1, name);
  if (ns) m.string(3, ns);
  return m;
};
const intOrString = (v: number | string): W => (typeof v === 'number' ? new W().varint(1, 0).varint(2, v) : new W().varint(1, 1).string(3, v));

function badRequest(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof StatusError && err.code === 400 && err.reason === 'BadRequest' && pattern.test(err.message));
}

describe('decodeProtobufObject', () => {
  it('decodes a Pod with inlined probe handlers and volume sources, pointers and omitempty zero values', () => {
    const probe = new W().message(1, new W().message(2, new W().string(1, '/healthz').message(2, intOrString('http')))).varint(2, 5).varint(3, 0);
    const container = new W()
      .string(1, 'app')
      .string(2, 'nginx:1.25')
      .message(6, new W().string(1, 'http').varint(3, 80).string(4, 'TCP'))
      .message(7, new W().string(1, 'A').string(2, '1'))
      .message(8, new W().mapEntry(2, 'cpu', new W().string(1, '100m')).mapEntry(1, 'memory', new W().string(1, '64Mi')))
      .message(10, probe)
      .message(15, new W().varint(6, false).varint(4, 0))
      .varint(16, false);
    const volume = new W().string(1, 'data').message(2, new W().message(2, new W().string(1, 'Memory')));
    const cmVolume = new W().string(1, 'cfg').message(2, new W().message(19, new W().message(1, new W().string(1, 'my-cm')).varint(3, 420)));
    const spec = new W()
      .message(1, volume)
      .message(1, cmVolume)
      .message(2, container)
      .string(3, 'Always')
      .varint(4, 0)
      .varint(21, false)
      .varint(11, false)
      .message(14, new W().varint(4, 1000).varint(4, 2000))
      .message(22, new W().string(1, 'k').string(2, 'Exists').string(4, 'NoSchedule').varint(5, 30));
    const pod = new W().message(1, meta('web', 'x').mapEntry(11, 'app', 'web').string(5, '')).message(2, spec).message(3, new W());
    const obj = decodeProtobufObject(protobufEnvelope('v1', 'Pod', pod));
    assert.deepEqual(obj, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'x', labels: { app: 'web' } },
      spec: {
        volumes: [
          { name: 'data', emptyDir: { medium: 'Memory' } },
          { name: 'cfg', configMap: { name: 'my-cm', defaultMode: 420 } },
        ],
        containers: [
          {
            name: 'app',
            image: 'nginx:1.25',
            ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
            env: [{ name: 'A', value: '1' }],
            resources: { requests: { cpu: '100m' }, limits: { memory: '64Mi' } },
            // timeoutSeconds 0 is a value field with omitempty: dropped, as Go's JSON would.
            livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, initialDelaySeconds: 5 },
            // Pointers keep false and 0 when they were sent.
            securityContext: { readOnlyRootFilesystem: false, runAsUser: 0 },
          },
        ],
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 0,
        automountServiceAccountToken: false,
        securityContext: { supplementalGroups: [1000, 2000] },
        tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 30 }],
      },
      status: {},
    });
  });

  it('reads packed repeated scalars', () => {
    const packed = Buffer.from([0xe8, 0x07, 0xd0, 0x0f]); // varints 1000, 2000
    const spec = new W().message(14, new W().bytes(4, packed));
    const pod = new W().message(1, meta('p')).message(2, spec);
    const obj = decodeProtobufObject(protobufEnvelope('v1', 'Pod', pod));
    assert.deepEqual((obj.spec as { securityContext: unknown }).securityContext, { supplementalGroups: [1000, 2000] });
  });

  it('renders Time, MicroTime, RawExtension, FieldsV1 and negative int32 in their JSON forms', () => {
    const managed = new W().string(1, 'kubectl').string(2, 'Update').message(4, new W().varint(1, 1767323045)).string(6, 'FieldsV1').message(7, new W().bytes(1, Buffer.from('{"f:data":{}}')));
    const lease = new W()
      .message(1, meta('node-1', 'kube-node-lease').message(8, new W().varint(1, 1767323045)).message(17, managed))
      .message(2, new W().string(1, 'node-1').varint(2, 40).message(4, new W().varint(1, 1767323045).varint(2, 123456789)).varint(5, 0));
    assert.deepEqual(decodeProtobufObject(protobufEnvelope('coordination.k8s.io/v1', 'Lease', lease)), {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: 'node-1',
        namespace: 'kube-node-lease',
        creationTimestamp: '2026-01-02T03:04:05Z',
        managedFields: [{ manager: 'kubectl', operation: 'Update', time: '2026-01-02T03:04:05Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } }],
      },
      spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40, renewTime: '2026-01-02T03:04:05.123456Z', leaseTransitions: 0 },
    });
    const rev = new W().message(1, meta('web-abc')).message(2, new W().bytes(1, Buffer.from('{"spec":{"replicas":-1}}'))).varint(3, 7);
    assert.deepEqual(decodeProtobufObject(protobufEnvelope('apps/v1', 'ControllerRevision', rev)).data, { spec: { replicas: -1 } });
    const priority = new W().message(1, meta('low')).varint(2, -5);
    assert.equal(decodeProtobufObject(protobufEnvelope('scheduling.k8s.io/v1', 'PriorityClass', priority)).value, -5);
  });

  it('decodes a zero-length Time as absent and unwraps list-wrapper messages', () => {
    const review = new W()
      .message(1, meta('').message(8, new W()))
      .message(2, new W().string(3, 'bob').mapEntry(5, 'scopes', new W().string(1, 'a').string(1, 'b')));
    const obj = decodeProtobufObject(protobufEnvelope('authorization.k8s.io/v1', 'SubjectAccessReview', review));
    assert.deepEqual(obj, { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', metadata: {}, spec: { user: 'bob', extra: { scopes: ['a', 'b'] } } });
  });

  it('keeps Secret and ConfigMap binary data as base64 and accepts Eviction and DeleteOptions', () => {
    const secret = new W().message(1, meta('s')).mapEntry(2, 'bin', Buffer.from([0, 255, 1])).string(3, 'Opaque');
    assert.deepEqual(decodeProtobufObject(protobufEnvelope('v1', 'Secret', secret)).data, { bin: 'AP8B' });
    const eviction = new W().message(1, meta('p1', 'x')).message(2, new W().varint(1, 0).string(4, 'Foreground').string(5, 'All'));
    assert.deepEqual(decodeProtobufObject(protobufEnvelope('policy/v1', 'Eviction', eviction)), {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'p1', namespace: 'x' },
      deleteOptions: { gracePeriodSeconds: 0, propagationPolicy: 'Foreground', dryRun: ['All'] },
    });
    const opts = new W().message(2, new W().string(1, 'uid-1'));
    assert.deepEqual(decodeProtobufObject(protobufEnvelope('apps/v1', 'DeleteOptions', opts)), { apiVersion: 'apps/v1', kind: 'DeleteOptions', preconditions: { uid: 'uid-1' } });
  });

  it('skips unknown field numbers and reports them', () => {
    const cm = new W().message(1, meta('c').string(99, 'future')).mapEntry(2, 'a', 'b').varint(50, 7).double(51, 1.5);
    const { object, unknownFields } = decodeProtobufBody(protobufEnvelope('v1', 'ConfigMap', cm));
    assert.deepEqual(object, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } });
    assert.deepEqual(unknownFields, ['metadata: field 99', '<root>: field 50', '<root>: field 51']);
  });

  it('answers 400 for a body without the magic, a truncated body, a bad wire type or an unsupported kind', () => {
    badRequest(() => decodeProtobufObject(Buffer.from('{"kind":"Pod"}')), /unknown format.*k8s\\x00/);
    const cm = new W().message(1, meta('c')).mapEntry(2, 'a', 'b').finish();
    badRequest(() => decodeProtobufObject(protobufEnvelope('v1', 'ConfigMap', cm.subarray(0, cm.length - 1))), /unknown format - invalid protobuf: truncated/);
    const envelope = protobufEnvelope('v1', 'ConfigMap', cm);
    badRequest(() => decodeProtobufObject(envelope.subarray(0, envelope.length - 8)), /unknown format - invalid protobuf: truncated/);
    badRequest(() => decodeProtobufObject(protobufEnvelope('v1', 'ConfigMap', new W().varint(1, 3))), /metadata has wire type 0, expected 2/);
    badRequest(() => decodeProtobufObject(protobufEnvelope('example.com/v1', 'Widget', new W())), /kind "Widget" in version "example.com\/v1"/);
    badRequest(() => decodeProtobufObject(protobufEnvelope('', '', new W())), /names no kind/);
    badRequest(() => decodeProtobufObject(protobufEnvelope('apps/v1', 'ControllerRevision', new W().message(2, new W().bytes(1, Buffer.from('not json'))))), /not JSON/);
  });
});

describe('isProtobufKindSupported', () => {
  it('covers every kind the server serves', () => {
    const missing = RESOURCES.filter((r) => !isProtobufKindSupported(apiVersionOf(r), r.kind)).map((r) => `${apiVersionOf(r)}/${r.kind}`);
    assert.deepEqual(missing, []);
  });
  it('covers the subresource and option kinds clients post', () => {
    for (const [v, k] of [['policy/v1', 'Eviction'], ['v1', 'Binding'], ['autoscaling/v1', 'Scale'], ['authentication.k8s.io/v1', 'TokenRequest'], ['meta.k8s.io/v1', 'DeleteOptions'], ['v1', 'DeleteOptions']]) {
      assert.ok(isProtobufKindSupported(v!, k!), `${v}/${k}`);
    }
    assert.equal(isProtobufKindSupported('v1', 'Widget'), false);
  });
});

describe('isProtobufMediaType', () => {
  it('matches the media type with or without parameters', () => {
    assert.ok(isProtobufMediaType(PROTOBUF_MEDIA_TYPE));
    assert.ok(isProtobufMediaType('application/vnd.kubernetes.protobuf; charset=utf-8'));
    assert.equal(isProtobufMediaType('application/json'), false);
    assert.equal(isProtobufMediaType(undefined), false);
  });
});
