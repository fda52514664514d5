// SPDX-License-Identifier: Apache-2.0
/**
 * End to end: admission webhooks served by a real pod (an image built
 * locally with nodeAppImage) behind a Service, reached through the
 * service's endpoints with the certificate checked against the caBundle for
 * `<service>.<namespace>.svc`, driven with the real kubectl: a mutating
 * webhook labels ConfigMaps, a validating one refuses bad ones and a
 * cert-manager style Certificate without dnsNames, and a Service without
 * endpoints fails (or, with Ignore, lets through) as upstream.
 * Needs root, containerd, runc, CNI and kubectl.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { agentUnavailableReason, startAgentServer, type AgentServer } from './fixtures/agent-server.js';
import { nodeAppImage } from '../../src/images/index.js';
import { createCA, issueCertificate } from '../../src/pki/index.js';
import { webhookAppScript } from '../harness/admission-webhook-app.js';

const skip = agentUnavailableReason() || false;
const IMAGE = 'localhost/skiff/admission-webhook:1';
const NS = 'webhook-e2e';

describe('admission webhooks served by a pod behind a Service', { skip }, () => {
  let s: AgentServer;
  let caBundle = '';

  const config = (kind: 'Mutating' | 'Validating', name: string, path: string, rules: unknown[], extra: Record<string, unknown> = {}, service = 'webhook') => `apiVersion: admissionregistration.k8s.io/v1
kind: ${kind}WebhookConfiguration
metadata: {name: ${name}}
webhooks:
- name: ${name}.skiff.dev
  clientConfig:
    service: {namespace: ${NS}, name: ${service}, path: ${path}}
    caBundle: ${caBundle}
  rules: ${JSON.stringify(rules)}
  sideEffects: None
  admissionReviewVersions: [v1]
  namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ${NS}}}
${Object.entries(extra).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`).join('\n')}
`;

  before(async () => {
    s = await startAgentServer();
    const ca = await createCA('webhook-e2e-ca');
    const serving = await issueCertificate(ca, { subject: 'CN=webhook.webhook-e2e.svc', sans: [`webhook.${NS}.svc`], server: true });
    caBundle = Buffer.from(ca.cert).toString('base64');
    s.importImage(nodeAppImage({ name: IMAGE, script: webhookAppScript(serving.cert, serving.key, 8443) }));
    s.kubectlOk(['create', 'namespace', NS]);
    s.kubectlOk(['apply', '-n', NS, '-f', '-'], `apiVersion: v1
kind: Pod
metadata:
  name: webhook
  labels: {app: webhook}
spec:
  containers:
  - name: app
    image: ${IMAGE}
    imagePullPolicy: Never
    ports: [{containerPort: 8443, name: https}]
---
apiVersion: v1
kind: Service
metadata: {name: webhook}
spec:
  selector: {app: webhook}
  ports: [{port: 443, targetPort: 8443}]
---
apiVersion: v1
kind: Service
metadata: {name: nobody}
spec:
  selector: {app: nobody}
  ports: [{port: 443, targetPort: 8443}]
`);
    s.kubectlOk(['wait', '-n', NS, '--for=condition=Ready', 'pod/webhook', '--timeout=120s']);
    for (let i = 0; i < 120 && s.kubectl(['get', 'endpoints', 'webhook', '-n', NS, '-o', 'jsonpath={.subsets[0].addresses[0].ip}']).stdout === ''; i++) {
      await new Promise((r) => setTimeout(r, 500));
    }
  });

  after(async () => {
    await s?.stop();
  });

  it('mutates and validates ConfigMaps through the Service', () => {
    const cms = [{ operations: ['CREATE', 'UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }];
    s.kubectlOk(['apply', '-f', '-'], config('Mutating', 'labeller', '/mutate', cms) + '---\n' + config('Validating', 'checker', '/validate', cms));
    const ok = s.kubectl(['create', 'configmap', 'fine', '-n', NS, '--from-literal=a=b']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /Warning: mutated by the test webhook/);
    assert.equal(s.kubectlOk(['get', 'cm', 'fine', '-n', NS, '-o', 'jsonpath={.metadata.labels.webhook\\.skiff\\.dev/mutated}']), 'true');
    const bad = s.kubectl(['apply', '-n', NS, '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: nope, labels: {bad: "true"}}\n');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /Error from server \(Forbidden\): error when creating "STDIN": admission webhook "checker.skiff.dev" denied the request: objects labelled bad=true are not allowed/);
    assert.notEqual(s.kubectl(['get', 'cm', 'nope', '-n', NS]).code, 0);
    s.kubectlOk(['delete', 'mutatingwebhookconfiguration', 'labeller']);
    s.kubectlOk(['delete', 'validatingwebhookconfiguration', 'checker']);
  });

  it('refuses a cert-manager style Certificate without dnsNames', () => {
    s.kubectlOk(['apply', '-f', '-'], `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: certificates.cert-manager.io}
spec:
  group: cert-manager.io
  names: {kind: Certificate, plural: certificates, singular: certificate, shortNames: [cert, certs]}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              secretName: {type: string}
              dnsNames: {type: array, items: {type: string}}
              issuerRef: {type: object, properties: {name: {type: string}, kind: {type: string}}}
`);
    s.kubectlOk(['wait', '--for=condition=Established', 'crd/certificates.cert-manager.io', '--timeout=60s']);
    s.kubectlOk(['apply', '-f', '-'], config('Validating', 'cert-manager-webhook', '/validate', [{ operations: ['CREATE', 'UPDATE'], apiGroups: ['cert-manager.io'], apiVersions: ['*'], resources: ['certificates'] }]));
    const cert = (name: string, dns: string) => `apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: ${name}}
spec:
  secretName: ${name}-tls
  issuerRef: {name: ca-issuer, kind: Issuer}
${dns}`;
    const bad = s.kubectl(['apply', '-n', NS, '-f', '-'], cert('bad', ''));
    assert.match(bad.stderr, /admission webhook "cert-manager-webhook.skiff.dev" denied the request: spec.dnsNames: at least one DNS name is required/);
    s.kubectlOk(['apply', '-n', NS, '-f', '-'], cert('good', '  dnsNames: [app.example.com]\n'));
    assert.equal(s.kubectlOk(['get', 'certs', '-n', NS, '-o', 'name']).trim(), 'certificate.cert-manager.io/good');
    s.kubectlOk(['delete', 'validatingwebhookconfiguration', 'cert-manager-webhook']);
  });

  it('a Service without endpoints fails the request under Fail and is skipped under Ignore', () => {
    const cms = [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }];
    s.kubectlOk(['apply', '-f', '-'], config('Validating', 'absent', '/validate', cms, {}, 'nobody'));
    const r = s.kubectl(['create', 'configmap', 'lost', '-n', NS]);
    assert.match(r.stderr, new RegExp(`Internal error occurred: failed calling webhook "absent.skiff.dev": failed to call webhook: Post "https://nobody.${NS}.svc:443/validate\\?timeout=10s": no endpoints available for service "nobody"`));
    s.kubectlOk(['apply', '-f', '-'], config('Validating', 'absent', '/validate', cms, { failurePolicy: 'Ignore' }, 'nobody'));
    s.kubectlOk(['create', 'configmap', 'lost', '-n', NS]);
    s.kubectlOk(['delete', 'validatingwebhookconfiguration', 'absent']);
  });

  it('converts a custom resource through a conversion webhook behind the Service', () => {
    s.kubectlOk(['apply', '-f', '-'], `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.stable.example.com}
spec:
  group: stable.example.com
  names: {kind: Widget, plural: widgets, singular: widget}
  scope: Namespaced
  conversion:
    strategy: Webhook
    webhook:
      conversionReviewVersions: [v1]
      clientConfig:
        service: {namespace: ${NS}, name: webhook, path: /convert}
        caBundle: ${caBundle}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, properties: {size: {type: string}}}}}}
  - name: v2
    served: true
    storage: false
    schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, properties: {sizeBytes: {type: integer}}}}}}
`);
    s.kubectlOk(['wait', '--for=condition=Established', 'crd/widgets.stable.example.com', '--timeout=60s']);
    s.kubectlOk(['apply', '-n', NS, '-f', '-'], 'apiVersion: stable.example.com/v2\nkind: Widget\nmetadata: {name: w}\nspec: {sizeBytes: 42}\n');
    assert.equal(s.kubectlOk(['get', 'widgets.v1.stable.example.com', 'w', '-n', NS, '-o', 'jsonpath={.spec.size}']), '42');
    assert.equal(s.kubectlOk(['get', 'widgets.v2.stable.example.com', 'w', '-n', NS, '-o', 'jsonpath={.spec.sizeBytes}']), '42');
  });
});
