// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { createCertificateRequest } from '../../pki/index.js';
import { newContext } from '../registry/request-context.js';
import { certificateSigningRequestStrategy as s } from './certificate-signing-request.js';

async function csr(): Promise<KubeObject> {
  const { request } = await createCertificateRequest({ commonName: 'system:node:a', organizations: ['system:nodes'] });
  return {
    metadata: { name: 'c' },
    spec: { request: Buffer.from(request).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'], username: 'forged', groups: ['system:masters'] },
  };
}

test('the requester is recorded from the request, whatever the client claims', async () => {
  const obj = await csr();
  s.prepareForCreate!(obj, newContext({ name: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:authenticated'] }));
  const spec = obj.spec as { username: string; groups: string[] };
  assert.equal(spec.username, 'system:bootstrap:abcdef');
  assert.deepEqual(spec.groups, ['system:bootstrappers', 'system:authenticated']);
  assert.deepEqual(s.validate!(obj), []);
});

test('validation: request, signer, usages and duration as upstream', async () => {
  const obj = await csr();
  Object.assign(obj.spec as object, { request: Buffer.from('nope').toString('base64'), signerName: 'nodomain', usages: ['client auth', 'flying', 'client auth'], expirationSeconds: 60 });
  assert.deepEqual(s.validate!(obj).map((e) => `${e.type} ${e.field}`), [
    'FieldValueInvalid spec.request',
    'FieldValueInvalid spec.signerName',
    'FieldValueNotSupported spec.usages[1]',
    'FieldValueDuplicate spec.usages[2]',
    'FieldValueInvalid spec.expirationSeconds',
  ]);
});

test('/approval changes only Approved and Denied; /status only the rest; a certificate needs approval and is set once', async () => {
  const old = await csr();
  old.status = { conditions: [{ type: 'Approved', status: 'True', reason: 'AutoApproved' }] };
  const viaStatus = structuredClone(old);
  viaStatus.status = { conditions: [{ type: 'Failed', status: 'True' }], certificate: Buffer.from('-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n').toString('base64') };
  s.prepareForStatusUpdate!(viaStatus, old, 'status');
  assert.deepEqual((viaStatus.status as { conditions: { type: string }[] }).conditions.map((c) => c.type), ['Approved', 'Failed'], 'approval kept');
  assert.deepEqual(s.validateStatusUpdate!(viaStatus, old, 'status'), []);

  const viaApproval = structuredClone(viaStatus);
  viaApproval.status = { conditions: [{ type: 'Denied', status: 'True' }], certificate: 'ignored' };
  s.prepareForStatusUpdate!(viaApproval, viaStatus, 'approval');
  const st = viaApproval.status as { conditions: { type: string }[]; certificate: string };
  assert.deepEqual(st.conditions.map((c) => c.type), ['Failed', 'Denied']);
  assert.equal(st.certificate, (viaStatus.status as { certificate: string }).certificate, 'approval leaves the certificate');

  const unapproved = await csr();
  const withCert = structuredClone(unapproved);
  withCert.status = { certificate: (viaStatus.status as { certificate: string }).certificate };
  assert.match(s.validateStatusUpdate!(withCert, unapproved, 'status').map((e) => e.detail).join(), /certificate can only be set once the request is approved/);
  const changed = structuredClone(viaStatus);
  (changed.status as { certificate: string }).certificate = Buffer.from('-----BEGIN CERTIFICATE-----\ny\n-----END CERTIFICATE-----\n').toString('base64');
  assert.match(s.validateStatusUpdate!(changed, viaStatus, 'status').map((e) => e.detail).join(), /updates may not modify existing certificate content/);
});
