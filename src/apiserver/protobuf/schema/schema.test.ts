// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MESSAGES, messageForKind } from './index.js';
import { parseMessageSpec } from './field-spec.js';

describe('protobuf schema tables', () => {
  it('hold the upstream field numbers of the most used fields', () => {
    const facts: Array<[string, number, string, string]> = [
      ['meta.ObjectMeta', 1, 'name', 'string'],
      ['meta.ObjectMeta', 8, 'creationTimestamp', 'time'],
      ['meta.ObjectMeta', 11, 'labels', 'string'],
      ['meta.ObjectMeta', 17, 'managedFields', 'meta.ManagedFieldsEntry'],
      ['core.PodSpec', 2, 'containers', 'core.Container'],
      ['core.PodSpec', 20, 'initContainers', 'core.Container'],
      ['core.Container', 2, 'image', 'string'],
      ['core.ServicePort', 4, 'targetPort', 'intorstring'],
      ['core.Secret', 2, 'data', 'bytes'],
      ['apps.DeploymentSpec', 3, 'template', 'core.PodTemplateSpec'],
      ['batch.CronJobSpec', 1, 'schedule', 'string'],
    ];
    for (const [msg, num, json, type] of facts) {
      const f = MESSAGES.get(msg)?.get(num);
      assert.ok(f, `${msg} field ${num}`);
      assert.equal(f.json, json);
      const t = f.type;
      assert.equal('scalar' in t ? t.scalar : 'special' in t ? t.special : t.message, type, `${msg}.${json}`);
    }
  });

  it('maps kinds to messages, DeleteOptions under any group version', () => {
    assert.equal(messageForKind('apps/v1', 'Deployment'), 'apps.Deployment');
    assert.equal(messageForKind('autoscaling/v2', 'HorizontalPodAutoscaler'), 'autoscalingv2.HorizontalPodAutoscaler');
    assert.equal(messageForKind('batch/v1', 'DeleteOptions'), 'meta.DeleteOptions');
    assert.equal(messageForKind('apps/v1', 'Pod'), undefined);
  });

  it('parses the notation and rejects malformed entries', () => {
    const spec = parseMessageSpec('core', 'name=1:string! *=2:VolumeSource items=3:[]KeyToPath data=4:{bytes} ttl=5:int64?');
    assert.deepEqual(spec.get(2), { number: 2, json: '*', type: { message: 'core.VolumeSource' }, cardinality: 'single', presence: 'omitempty' });
    assert.equal(spec.get(3)?.cardinality, 'repeated');
    assert.deepEqual(spec.get(4)?.type, { scalar: 'bytes' });
    assert.equal(spec.get(5)?.presence, 'pointer');
    assert.throws(() => parseMessageSpec('core', 'name=x:string'), /bad protobuf field notation/);
    assert.throws(() => parseMessageSpec('core', 'data=4:{bytes'), /bad protobuf field notation/);
    assert.throws(() => parseMessageSpec('core', 'a=1:string b=1:string'), /duplicate field number/);
  });
});
