// SPDX-License-Identifier: Apache-2.0
/**
 * The storage.k8s.io CSI kinds end to end, with the real kubectl against a
 * real `skiff server` with its node agent: `kubectl api-resources` lists
 * them as upstream 1.32 does; the kubelet registered its node's CSINode
 * (no drivers, owned by its Node), which `kubectl get csinode` lists; apply,
 * get (upstream's columns), describe, a status write and upstream's 422
 * messages for CSIDriver, VolumeAttachment and CSIStorageCapacity; and the
 * node's own credentials (a client certificate for system:node:<node> issued
 * through a CertificateSigningRequest) reaching only its own CSINode and the
 * attachments to its node, with upstream's 403 messages from the Node
 * authorizer and NodeRestriction. Needs root, containerd, runc, CNI plugins
 * and kubectl.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentUnavailableReason, startAgentServer, type AgentServer } from './fixtures/agent-server.js';
import { waitFor } from '../harness/wait-for.js';
import { createCertificateRequest } from '../../src/pki/index.js';

const skip = agentUnavailableReason();

interface Meta {
  metadata: { name: string; uid: string; ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string }[] };
}

describe('storage.k8s.io CSI kinds', { skip: skip || false, timeout: 600_000 }, () => {
  let srv: AgentServer;
  let node = '';
  let scratch = '';
  let serverURL = '';

  /** asNode runs kubectl with a client certificate for system:node:<node>, issued by the cluster's CSR signer. */
  const asNode = (args: string[], input?: string) => {
    const r = spawnSync('kubectl', ['--server', serverURL, '--certificate-authority', join(scratch, 'ca.crt'), '--client-certificate', join(scratch, 'node.crt'), '--client-key', join(scratch, 'node.key'), '--kubeconfig', '/dev/null', ...args], {
      encoding: 'utf8', timeout: 60_000, input,
    });
    return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
  const apply = (obj: object) => srv.kubectl(['apply', '-f', '-'], JSON.stringify(obj));
  const va = (name: string, nodeName: string) => ({
    apiVersion: 'storage.k8s.io/v1', kind: 'VolumeAttachment', metadata: { name }, spec: { attacher: 'hostpath.csi.k8s.io', nodeName, source: { persistentVolumeName: `pv-${name}` } },
  });

  before(async () => {
    srv = await startAgentServer();
    serverURL = /skiff server ready at (https:\/\/\S+?);/.exec(srv.logs())![1];
    scratch = mkdtempSync(join(tmpdir(), 'skiff-csi-'));
    node = await waitFor('the node', () => srv.kubectlOk(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}']).trim(), 60_000);
    // The node's own credentials: a kubelet client certificate for it, requested by the admin and approved.
    const kubeconfig = readFileSync(join(srv.dataDir, 'kubeconfig.yaml'), 'utf8');
    writeFileSync(join(scratch, 'ca.crt'), Buffer.from(/certificate-authority-data:\s*(\S+)/.exec(kubeconfig)![1], 'base64'));
    const { request, key } = await createCertificateRequest({ commonName: `system:node:${node}`, organizations: ['system:nodes'] });
    writeFileSync(join(scratch, 'node.key'), key, { mode: 0o600 });
    const csr = {
      apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'csi-test-node' },
      spec: { request: Buffer.from(request).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'] },
    };
    srv.kubectlOk(['create', '-f', '-'], JSON.stringify(csr));
    srv.kubectl(['certificate', 'approve', 'csi-test-node']); // the approver may have approved it already
    const cert = await waitFor('the node certificate', () => srv.kubectlOk(['get', 'csr', 'csi-test-node', '-o', 'jsonpath={.status.certificate}']).trim(), 60_000);
    writeFileSync(join(scratch, 'node.crt'), Buffer.from(cert, 'base64'));
  });

  after(async () => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    await srv?.stop();
  });

  it('lists the kinds in kubectl api-resources as upstream', () => {
    const out = srv.kubectlOk(['api-resources', '--api-group=storage.k8s.io', '--no-headers']);
    const rows = out.trim().split('\n').map((l) => l.trim().split(/\s+/));
    assert.deepEqual(rows, [
      ['csidrivers', 'storage.k8s.io/v1', 'false', 'CSIDriver'],
      ['csinodes', 'storage.k8s.io/v1', 'false', 'CSINode'],
      ['csistoragecapacities', 'storage.k8s.io/v1', 'true', 'CSIStorageCapacity'],
      ['storageclasses', 'sc', 'storage.k8s.io/v1', 'false', 'StorageClass'],
      ['volumeattachments', 'storage.k8s.io/v1', 'false', 'VolumeAttachment'],
    ]);
    // Their OpenAPI schemas are served: kubectl explain reads them.
    assert.match(srv.kubectlOk(['explain', 'csinode.spec.drivers']), /FIELD: drivers <\[\]CSINodeDriver>[\s\S]*nodeID\s+<string> -required-/);
    assert.match(srv.kubectlOk(['explain', 'volumeattachment.spec']), /attacher\s+<string> -required-[\s\S]*nodeName\s+<string> -required-/);
  });

  it("the kubelet registered its node's CSINode: no drivers, owned by its Node", async () => {
    const table = await waitFor('the CSINode', () => {
      const out = srv.kubectlOk(['get', 'csinode']);
      return out.includes(node) && out;
    });
    assert.match(table, new RegExp(`^NAME\\s+DRIVERS\\s+AGE\\n${node}\\s+0\\s+\\d+s\\n$`));
    const csiNode = srv.json<Meta & { spec: { drivers: unknown[] } }>(['csinode', node]);
    const nodeUid = srv.json<Meta>(['node', node]).metadata.uid;
    assert.deepEqual(csiNode.spec, { drivers: [] });
    assert.deepEqual(csiNode.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: node, uid: nodeUid }]);
    assert.match(srv.kubectlOk(['describe', 'csinode', node]), new RegExp(`Name:\\s+${node}[\\s\\S]*Spec:`));
  });

  it('applies, gets, describes and rejects CSIDrivers as upstream', () => {
    const driver = { apiVersion: 'storage.k8s.io/v1', kind: 'CSIDriver', metadata: { name: 'hostpath.csi.k8s.io' }, spec: { podInfoOnMount: true, volumeLifecycleModes: ['Persistent', 'Ephemeral'] } };
    assert.equal(apply(driver).code, 0);
    assert.match(srv.kubectlOk(['get', 'csidriver']), /^NAME\s+ATTACHREQUIRED\s+PODINFOONMOUNT\s+STORAGECAPACITY\s+TOKENREQUESTS\s+REQUIRESREPUBLISH\s+MODES\s+AGE\nhostpath\.csi\.k8s\.io\s+true\s+true\s+false\s+<unset>\s+false\s+Persistent,Ephemeral\s+\d+s\n$/);
    const stored = srv.json<{ spec: object }>(['csidriver', 'hostpath.csi.k8s.io']);
    assert.deepEqual(stored.spec, {
      attachRequired: true, podInfoOnMount: true, storageCapacity: false, fsGroupPolicy: 'ReadWriteOnceWithFSType',
      volumeLifecycleModes: ['Persistent', 'Ephemeral'], requiresRepublish: false, seLinuxMount: false,
    });
    assert.match(srv.kubectlOk(['describe', 'csidriver', 'hostpath.csi.k8s.io']), /Name:\s+hostpath\.csi\.k8s\.io[\s\S]*Attach Required:\s+true/);
    const changed = apply({ ...driver, spec: { ...driver.spec, attachRequired: false } });
    assert.notEqual(changed.code, 0);
    assert.match(changed.stderr, /The CSIDriver "hostpath\.csi\.k8s\.io" is invalid: spec\.attachedRequired: Invalid value: false: field is immutable/);
    const short = apply({ ...driver, metadata: { name: 'short.csi' }, spec: { tokenRequests: [{ audience: 'a', expirationSeconds: 60 }] } });
    assert.match(short.stderr, /The CSIDriver "short\.csi" is invalid: spec\.tokenRequests\[0\]\.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes/);
    assert.equal(srv.kubectl(['get', 'csidriver', 'short.csi']).code, 1, 'nothing stored');
  });

  it('applies VolumeAttachments, writes their status, and refuses a bad one with upstream messages', () => {
    assert.equal(apply(va('va-mine', node)).code, 0);
    assert.equal(apply(va('va-theirs', 'elsewhere')).code, 0);
    srv.kubectlOk(['patch', 'volumeattachment', 'va-mine', '--subresource=status', '--type=merge', '-p', '{"status":{"attached":true}}']);
    const table = srv.kubectlOk(['get', 'volumeattachments']);
    assert.match(table, /^NAME\s+ATTACHER\s+PV\s+NODE\s+ATTACHED\s+AGE\n/);
    assert.match(table, new RegExp(`\\nva-mine\\s+hostpath\\.csi\\.k8s\\.io\\s+pv-va-mine\\s+${node}\\s+true\\s+\\d+s\\n`));
    assert.match(table, /\nva-theirs\s+hostpath\.csi\.k8s\.io\s+pv-va-theirs\s+elsewhere\s+false\s+\d+s\n/);
    assert.match(srv.kubectlOk(['describe', 'volumeattachment', 'va-mine']), /Name:\s+va-mine[\s\S]*Attacher:\s+hostpath\.csi\.k8s\.io/);
    const bad = apply({ apiVersion: 'storage.k8s.io/v1', kind: 'VolumeAttachment', metadata: { name: 'va-bad' }, spec: { attacher: 'hostpath.csi.k8s.io', nodeName: node, source: {} } });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /The VolumeAttachment "va-bad" is invalid: spec\.source: Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName/);
    const moved = apply(va('va-mine', 'elsewhere'));
    assert.match(moved.stderr, /The VolumeAttachment "va-mine" is invalid: spec: Invalid value: .*: field is immutable/);
  });

  it('serves CSIStorageCapacities in namespaces with the default table', () => {
    const cap = { apiVersion: 'storage.k8s.io/v1', kind: 'CSIStorageCapacity', metadata: { name: 'cap-1', namespace: 'default' }, storageClassName: 'local-path', capacity: '1024Mi' };
    assert.equal(apply(cap).code, 0);
    assert.match(srv.kubectlOk(['get', 'csistoragecapacities', '-n', 'default']), /^NAME\s+CREATED AT\ncap-1\s+\S+\n$/);
    assert.equal(srv.json<{ capacity: string }>(['csistoragecapacity', 'cap-1', '-n', 'default']).capacity, '1Gi');
    const moved = apply({ ...cap, storageClassName: 'other' });
    assert.match(moved.stderr, /The CSIStorageCapacity "cap-1" is invalid: storageClassName: Invalid value: "other": field is immutable/);
  });

  it("a node's credentials reach only its own CSINode and attachments to its node", async () => {
    assert.match(asNode(['auth', 'whoami']).stdout, new RegExp(`system:node:${node}`));
    // The Node authorizer follows VolumeAttachments through an informer: wait until the node sees its own.
    await waitFor('the node to read its attachment', () => asNode(['get', 'volumeattachment', 'va-mine']).code === 0);
    assert.match(asNode(['get', 'csinode', node]).stdout, new RegExp(`^${node}\\s+0\\s+`, 'm'));
    assert.match(asNode(['get', 'csidriver', 'hostpath.csi.k8s.io']).stdout, /hostpath\.csi\.k8s\.io\s+true/);
    const user = `User "system:node:${node}"`;
    assert.match(asNode(['get', 'volumeattachment', 'va-theirs']).stderr, new RegExp(
      `volumeattachments\\.storage\\.k8s\\.io "va-theirs" is forbidden: ${user} cannot get resource "volumeattachments" in API group "storage\\.k8s\\.io" at the cluster scope: no relationship found between node '${node}' and this object`,
    ));
    assert.match(asNode(['get', 'volumeattachments']).stderr, new RegExp(
      `volumeattachments\\.storage\\.k8s\\.io is forbidden: ${user} cannot list resource "volumeattachments" in API group "storage\\.k8s\\.io" at the cluster scope: can only get individual resources of this type`,
    ));
    assert.match(asNode(['get', 'csinodes']).stderr, /cannot list resource "csinodes" in API group "storage\.k8s\.io" at the cluster scope: can only get, create, update, patch, or delete a CSINode/);
    assert.match(asNode(['delete', 'csinode', 'someone-else']).stderr, new RegExp(
      `csinodes\\.storage\\.k8s\\.io "someone-else" is forbidden: ${user} cannot delete resource "csinodes" in API group "storage\\.k8s\\.io" at the cluster scope: can only access CSINode with the same name as the requesting node`,
    ));
    // A create names no object for the authorizer; NodeRestriction admission refuses another node's CSINode.
    const create = asNode(['create', '-f', '-'], JSON.stringify({ apiVersion: 'storage.k8s.io/v1', kind: 'CSINode', metadata: { name: 'someone-else' }, spec: { drivers: [] } }));
    assert.match(create.stderr, /csinodes\.storage\.k8s\.io "someone-else" is forbidden: can only access CSINode with the same name as the requesting node/);
    assert.equal(srv.kubectl(['get', 'csinode', 'someone-else']).code, 1, 'nothing stored');
    // Likewise another node's Lease: the authorizer lets a node create in kube-node-lease, admission checks the name.
    const lease = asNode(['create', '-f', '-'], JSON.stringify({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'someone-else', namespace: 'kube-node-lease' }, spec: {} }));
    assert.match(lease.stderr, /leases\.coordination\.k8s\.io "someone-else" is forbidden: can only access node lease with the same name as the requesting node/);
    assert.equal(srv.kubectl(['get', 'lease', '-n', 'kube-node-lease', 'someone-else']).code, 1, 'no lease stored');
    // Its own CSINode it may write: a driver registering adds itself.
    const patched = asNode(['patch', 'csinode', node, '--type=merge', '-p', JSON.stringify({ spec: { drivers: [{ name: 'hostpath.csi.k8s.io', nodeID: node }] } })]);
    assert.equal(patched.code, 0, patched.stderr);
    assert.match(srv.kubectlOk(['get', 'csinode', node]), new RegExp(`\\n${node}\\s+1\\s+`));
    // And delete and create it, as a joined agent's kubelet registers it with these credentials.
    assert.equal(asNode(['delete', 'csinode', node]).code, 0);
    const nodeUid = srv.json<Meta>(['node', node]).metadata.uid;
    const own = { apiVersion: 'storage.k8s.io/v1', kind: 'CSINode', metadata: { name: node, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node, uid: nodeUid }] }, spec: { drivers: [] } };
    const created = asNode(['create', '-f', '-'], JSON.stringify(own));
    assert.equal(created.code, 0, created.stderr);
    assert.match(srv.kubectlOk(['get', 'csinode', node]), new RegExp(`\\n${node}\\s+0\\s+`));
  });
});
