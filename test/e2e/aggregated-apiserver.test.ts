// SPDX-License-Identifier: Apache-2.0
/**
 * End to end: an extension API server in a real pod (containerd, runc, CNI)
 * behind a Service, registered by an APIService with a caBundle, reached
 * through a real `skiff server` with kubectl: its group in discovery and
 * `kubectl api-resources`, create/get/list of its objects, the caller's
 * identity received through front-proxy headers it verifies against the
 * published requestheader CA, and the Available condition following the
 * pod's endpoints away and back. Needs root, containerd, runc, CNI and kubectl.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { agentUnavailableReason, startAgentServer, type AgentServer } from './fixtures/agent-server.js';
import { extensionServerScript } from '../integration/fixtures/extension-apiserver.js';
import { nodeAppImage } from '../../src/images/index.js';
import { createCA, issueCertificate, type PemPair } from '../../src/pki/index.js';
import { waitFor } from '../harness/wait-for.js';

const skip = agentUnavailableReason() || false;
const IMAGE = 'localhost/skiff/wardle-apiserver:1';
const NS = 'wardle-e2e';

function podManifest(): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: wardle
  namespace: ${NS}
  labels: {app: wardle}
spec:
  containers:
  - name: apiserver
    image: ${IMAGE}
    imagePullPolicy: Never
    ports: [{containerPort: 8443, name: https}]
    readinessProbe:
      tcpSocket: {port: 8443}
      periodSeconds: 1
`;
}

describe('aggregated API server in a pod', { skip }, () => {
  let s: AgentServer;
  let servingCA: PemPair;

  const available = (): string => s.kubectl(['get', 'apiservice', 'v1alpha1.wardle.example.com', '-o', 'jsonpath={.status.conditions[?(@.type=="Available")].status}/{.status.conditions[?(@.type=="Available")].reason}']).stdout;

  before(async () => {
    s = await startAgentServer();
    const trust = await waitFor('the front-proxy trust', () => s.json<{ data: Record<string, string> }>(['configmap', '-n', 'kube-system', 'extension-apiserver-authentication']).data, 30_000);
    servingCA = await createCA('wardle-e2e-ca');
    const serving = await issueCertificate(servingCA, { subject: `CN=api.${NS}.svc`, server: true, sans: [`api.${NS}.svc`] });
    s.importImage(nodeAppImage({
      name: IMAGE,
      script: extensionServerScript({ port: 8443, cert: serving.cert, key: serving.key, requestHeaderCA: trust['requestheader-client-ca-file'], allowedNames: JSON.parse(trust['requestheader-allowed-names']) as string[] }),
    }));
    s.kubectlOk(['create', 'namespace', NS]);
    s.kubectlOk(['apply', '-f', '-'], `${podManifest()}---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: ${NS}}
spec:
  selector: {app: wardle}
  ports: [{name: https, port: 443, targetPort: https}]
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1alpha1.wardle.example.com}
spec:
  group: wardle.example.com
  version: v1alpha1
  groupPriorityMinimum: 1000
  versionPriority: 15
  caBundle: ${Buffer.from(servingCA.cert).toString('base64')}
  service: {namespace: ${NS}, name: api}
`);
    s.kubectlOk(['wait', '-n', NS, '--for=condition=Ready', 'pod/wardle', '--timeout=120s']);
  });

  after(async () => {
    await s?.stop();
  });

  it('becomes Available once the pod serves, and answers through kubectl with the caller identity', async () => {
    await waitFor('Available True', () => available() === 'True/Passed', 90_000, 500);
    await waitFor('flunders in api-resources', () => /flunders\s+fl\s+wardle\.example\.com\/v1alpha1\s+true\s+Flunder/.test(s.kubectl(['api-resources', '--api-group=wardle.example.com']).stdout), 60_000, 500);
    s.kubectlOk(['create', '-f', '-'], `apiVersion: wardle.example.com/v1alpha1
kind: Flunder
metadata: {name: from-kubectl, namespace: ${NS}}
`);
    assert.match(s.kubectlOk(['get', 'flunders', '-n', NS]), /from-kubectl/);
    const one = s.json<{ kind: string; metadata: { namespace: string } }>(['flunder', 'from-kubectl', '-n', NS]);
    assert.equal(one.kind, 'Flunder');
    assert.equal(one.metadata.namespace, NS);
    const who = JSON.parse(s.kubectlOk(['get', '--raw', '/apis/wardle.example.com/v1alpha1/whoamis/me'])) as { user: string; groups: string[] };
    assert.equal(who.user, 'system:admin');
    assert.ok(who.groups.includes('system:masters'), JSON.stringify(who));
  });

  it('follows the pod away and back in the Available condition', async () => {
    s.kubectlOk(['delete', 'pod', 'wardle', '-n', NS, '--grace-period=1', '--wait=true']);
    await waitFor('MissingEndpoints', () => available() === 'False/MissingEndpoints', 90_000, 500);
    const r = s.kubectl(['get', 'flunders', '-n', NS]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /the server is currently unable to handle the request/);
    s.kubectlOk(['apply', '-f', '-'], podManifest());
    s.kubectlOk(['wait', '-n', NS, '--for=condition=Ready', 'pod/wardle', '--timeout=120s']);
    await waitFor('Available again', () => available() === 'True/Passed', 90_000, 500);
    // A new pod, a new (empty) server: the list answers from it.
    assert.doesNotMatch(s.kubectlOk(['get', 'flunders', '-n', NS, '-o', 'name']), /from-kubectl/);
  });
});
