// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import type { KubeObject } from '../../api/object.js';
import { createCA, createCertificateRequest, type RequestSubject } from '../../pki/index.js';
import { R } from '../../client/client.js';
import { newFixture } from '../controller-fixture.js';
import { CSRApprovingController, CSRSigningController, type AccessReview, type SubjectAccessReviewer } from './index.js';
import { KUBELET_CLIENT_SIGNER, KUBELET_SERVING_SIGNER, KUBE_APISERVER_CLIENT_SIGNER, nodeNetworkSubject } from '../../api/index.js';

async function csr(name: string, subject: RequestSubject, o: { signer?: string; usages?: string[]; username: string; groups: string[]; conditions?: object[] }): Promise<KubeObject> {
  const { request } = await createCertificateRequest(subject);
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: { request: Buffer.from(request).toString('base64'), signerName: o.signer ?? KUBELET_CLIENT_SIGNER, usages: o.usages ?? ['digital signature', 'client auth'], username: o.username, groups: o.groups },
    status: o.conditions ? { conditions: o.conditions } : {},
  };
}

const node = (n: string): RequestSubject => ({ commonName: `system:node:${n}`, organizations: ['system:nodes'] });
const bootstrapper = { username: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:bootstrappers:skiff:default-node-token', 'system:authenticated'] };

/** An authorizer standing in for RBAC with kubeadm's bindings: the token group may nodeclient, nodes may selfnodeclient. */
const asked: AccessReview[] = [];
const review: SubjectAccessReviewer = (a) => {
  asked.push(a);
  if (a.subresource === 'nodeclient') return a.user.groups.includes('system:bootstrappers:skiff:default-node-token');
  if (a.subresource === 'selfnodeclient') return a.user.groups.includes('system:nodes');
  return false;
};

test('approver: kubelet client requests are approved after a SubjectAccessReview, others are left pending', async () => {
  const objs = [
    await csr('boot', node('a'), bootstrapper),
    await csr('renew', node('a'), { username: 'system:node:a', groups: ['system:nodes'] }),
    await csr('stranger', node('a'), { username: 'mallory', groups: ['system:authenticated'] }),
    await csr('bad-subject', { commonName: 'system:node:a', organizations: ['system:masters'] }, bootstrapper),
    await csr('bad-usage', node('a'), { ...bootstrapper, usages: ['digital signature', 'server auth'] }),
    await csr('serving', { ...node('a'), sans: ['a', '192.0.2.10'] }, { signer: KUBELET_SERVING_SIGNER, usages: ['digital signature', 'server auth'], username: 'system:node:a', groups: ['system:nodes'] }),
    await csr('serving-other', { ...node('b'), sans: ['b'] }, { signer: KUBELET_SERVING_SIGNER, usages: ['digital signature', 'server auth'], username: 'system:node:a', groups: ['system:nodes'] }),
    await csr('denied', node('a'), { ...bootstrapper, conditions: [{ type: 'Denied', status: 'True', reason: 'No' }] }),
  ];
  const f = newFixture(objs);
  const c = new CSRApprovingController({ client: f.client, factory: f.factory, review });
  await f.start();
  for (const o of objs) await c.sync(o.metadata.name!);
  assert.deepEqual(f.writes(), ['update certificatesigningrequests/approval boot', 'update certificatesigningrequests/approval renew', 'update certificatesigningrequests/approval serving']);
  const boot = f.client.mutations().find((a) => a.name === 'boot')!.object as KubeObject;
  const cond = (boot.status as { conditions: { type: string; status: string; reason: string; message: string }[] }).conditions[0];
  assert.deepEqual([cond.type, cond.status, cond.reason, cond.message], ['Approved', 'True', 'AutoApproved', 'Auto approving kubelet client certificate after SubjectAccessReview.']);
  const sar = asked.find((a) => a.user.name === 'system:bootstrap:abcdef')!;
  assert.deepEqual([sar.verb, sar.group, sar.resource, sar.subresource], ['create', 'certificates.k8s.io', 'certificatesigningrequests', 'nodeclient']);
  await f.stop();
});

test('signer: an approved kubelet request gets a certificate from the CA; an invalid one is marked Failed', async () => {
  const ca = await createCA('test-ca');
  const approved = [{ type: 'Approved', status: 'True', reason: 'AutoApproved' }];
  const objs = [
    await csr('ok', node('a'), { ...bootstrapper, conditions: approved }),
    await csr('pending', node('a'), bootstrapper),
    await csr('bad', { commonName: 'admin', organizations: ['system:masters'] }, { ...bootstrapper, conditions: approved }),
    await csr('other-signer', node('a'), { ...bootstrapper, signer: 'example.com/x', conditions: approved }),
  ];
  const f = newFixture(objs);
  const c = new CSRSigningController({ client: f.client, factory: f.factory, ca });
  await f.start();
  for (const o of objs) await c.sync(o.metadata.name!);
  assert.deepEqual(f.writes(), ['update certificatesigningrequests/status ok', 'update certificatesigningrequests/status bad']);
  const get = (n: string) => f.client.objects(R.certificatesigningrequests).find((o) => o.metadata.name === n)!.status as { certificate?: string; conditions: { type: string; reason?: string; message?: string }[] };
  const cert = new X509Certificate(Buffer.from(get('ok').certificate!, 'base64').toString());
  assert.equal(cert.subject, 'CN=system:node:a\nO=system:nodes');
  assert.ok(cert.verify(new X509Certificate(ca.cert).publicKey), 'signed by the cluster CA');
  assert.ok(cert.keyUsage?.includes('1.3.6.1.5.5.7.3.2'), 'client auth');
  const failed = get('bad').conditions.find((x) => x.type === 'Failed')!;
  assert.equal(failed.reason, 'SignerValidationFailure');
  assert.equal(failed.message, 'subject organization is not system:nodes');
  assert.equal(get('bad').certificate, undefined);
  await f.stop();
});

test('node network identity: node N gets system:skiff-node-network:N approved and signed; nobody else gets it approved', async () => {
  const ca = await createCA('test-ca');
  const net = (n: string): RequestSubject => nodeNetworkSubject(n);
  const asNode = (n: string) => ({ signer: KUBE_APISERVER_CLIENT_SIGNER, username: `system:node:${n}`, groups: ['system:nodes', 'system:authenticated'] });
  const objs = [
    await csr('own', net('a'), asNode('a')),
    await csr('other-node', net('b'), asNode('a')),
    await csr('by-token', net('a'), { ...bootstrapper, signer: KUBE_APISERVER_CLIENT_SIGNER }),
    await csr('admin-subject', { commonName: 'system:skiff-node-network:a', organizations: ['system:masters'] }, asNode('a')),
    await csr('server-usage', net('a'), { ...asNode('a'), usages: ['digital signature', 'client auth', 'server auth'] }),
  ];
  const f = newFixture(objs);
  const approver = new CSRApprovingController({ client: f.client, factory: f.factory, review });
  await f.start();
  for (const o of objs) await approver.sync(o.metadata.name!);
  assert.deepEqual(f.writes(), ['update certificatesigningrequests/approval own']);
  await f.stop();

  const approved = [{ type: 'Approved', status: 'True', reason: 'AutoApproved' }];
  const signed = [
    await csr('own', net('a'), { ...asNode('a'), conditions: approved }),
    await csr('admin-approved-bad-usage', net('a'), { ...asNode('a'), usages: ['server auth', 'client auth'], conditions: approved }),
  ];
  const g = newFixture(signed);
  const signer = new CSRSigningController({ client: g.client, factory: g.factory, ca });
  await g.start();
  for (const o of signed) await signer.sync(o.metadata.name!);
  const get = (n: string) => g.client.objects(R.certificatesigningrequests).find((o) => o.metadata.name === n)!.status as { certificate?: string; conditions: { type: string; message?: string }[] };
  const cert = new X509Certificate(Buffer.from(get('own').certificate!, 'base64').toString());
  assert.equal(cert.subject, 'CN=system:skiff-node-network:a\nO=system:skiff-node-network');
  assert.equal(get('admin-approved-bad-usage').conditions.find((x) => x.type === 'Failed')!.message, 'invalid usage for client certificate: server auth');
  await g.stop();
});
