// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import type { Ingress } from 'kubernetes-types/networking/v1.js';
import { addSample, chartPoints, fieldLine, fieldSegments, ingressReach, niceCeiling, objectURL, portScheme, quantityNumber, serviceReach, splitDocuments, tlsCovers, urlOf, usageOf } from './index.js';

const node = (name: string, addresses: { type: string; address: string }[]): Node => ({ metadata: { name }, status: { addresses } });

test('a NodePort Service is reached on every node address, with https for TLS ports', () => {
  const svc: Service = {
    metadata: { name: 'web', namespace: 'shop' },
    spec: { type: 'NodePort', clusterIP: '10.43.0.7', ports: [{ name: 'http', port: 80, nodePort: 30080 }, { name: 'https', port: 443, nodePort: 30443 }] },
  };
  const reach = serviceReach(svc, [node('n1', [{ type: 'InternalIP', address: '192.0.2.10' }]), node('n2', [{ type: 'InternalIP', address: '192.0.2.11' }, { type: 'ExternalIP', address: '203.0.113.5' }])]);
  assert.deepEqual(reach.filter((r) => r.url).map((r) => r.url), ['http://192.0.2.10:30080/', 'http://203.0.113.5:30080/', 'https://192.0.2.10:30443/', 'https://203.0.113.5:30443/']);
  assert.ok(reach.some((r) => r.address === 'web.shop.svc.cluster.local:80' && !r.url));
  assert.ok(reach.some((r) => r.address === '10.43.0.7:443' && r.how === 'cluster IP'));
});

test('a ClusterIP Service has no outside URL; a LoadBalancer has its address and external IPs', () => {
  const base: Service = { metadata: { name: 'db', namespace: 'default' }, spec: { type: 'ClusterIP', clusterIP: 'None', ports: [{ port: 5432 }] } };
  assert.deepEqual(serviceReach(base, [node('n1', [{ type: 'InternalIP', address: '192.0.2.10' }])]).filter((r) => r.url), []);
  const lb: Service = {
    metadata: { name: 'web', namespace: 'default' },
    spec: { type: 'LoadBalancer', clusterIP: '10.43.0.8', externalIPs: ['2001:db8::1'], ports: [{ port: 8080, nodePort: 31000 }] },
    status: { loadBalancer: { ingress: [{ ip: '198.51.100.20' }, { hostname: 'lb.example.test' }] } },
  };
  const urls = serviceReach(lb, []).filter((r) => r.url).map((r) => r.url);
  assert.deepEqual(urls, ['http://198.51.100.20:8080/', 'http://lb.example.test:8080/', 'http://[2001:db8::1]:8080/']);
});

test('port schemes and URLs', () => {
  assert.equal(portScheme({ port: 8080, appProtocol: 'kubernetes.io/https' }), 'https');
  assert.equal(portScheme({ port: 8443 }), 'https');
  assert.equal(portScheme({ port: 8080, name: 'web' }), 'http');
  assert.equal(urlOf('https', 'a.test', 443, '/x'), 'https://a.test/x');
  assert.equal(urlOf('http', 'a.test', 8080, 'x'), 'http://a.test:8080/x');
});

test('Ingress rules become URLs, https where a TLS entry covers the host', () => {
  const ing: Ingress = {
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      tls: [{ hosts: ['secure.example.test', '*.wild.example.test'], secretName: 'tls' }],
      rules: [
        { host: 'secure.example.test', http: { paths: [{ path: '/app', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } },
        { host: 'plain.example.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } }] } },
        { host: '*.wild.example.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } },
        { http: { paths: [{ path: '/api', pathType: 'Prefix', backend: { service: { name: 'api', port: { number: 8080 } } } }] } },
      ],
    },
    status: { loadBalancer: { ingress: [{ ip: '198.51.100.30' }] } },
  };
  const reach = ingressReach(ing);
  assert.deepEqual(reach.map((r) => [r.url, r.backend]), [
    ['https://secure.example.test/app', 'web:80'],
    ['http://plain.example.test/', 'web:http'],
    [undefined, 'web:80'],
    ['http://198.51.100.30/api', 'api:8080'],
  ]);
  assert.equal(tlsCovers(ing, 'a.wild.example.test'), true);
  assert.equal(tlsCovers(ing, 'a.b.wild.example.test'), false, 'a wildcard covers one label');
  assert.equal(tlsCovers(ing, undefined), false);
});

test('objectURL finds one object of a collection, in its namespace', () => {
  assert.equal(objectURL('/api/v1/pods', 'shop', 'web-1'), '/api/v1/namespaces/shop/pods/web-1');
  assert.equal(objectURL('/api/v1/namespaces/shop/pods?labelSelector=a%3Db', 'shop', 'web-1'), '/api/v1/namespaces/shop/pods/web-1');
  assert.equal(objectURL('/api/v1/nodes', undefined, 'n1'), '/api/v1/nodes/n1');
  assert.equal(objectURL('/apis/apps/v1/deployments', 'd', 'w'), '/apis/apps/v1/namespaces/d/deployments/w');
});

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: side
        image: side:1
      - name: main
        image: main:1
        ports:
          - containerPort: 80
          - containerPort: 99999
`;

test('fieldLine follows keys and list indices to the line of the field', () => {
  const line = (f: string) => fieldLine(deployment, f);
  assert.equal(line('spec.replicas'), 5);
  assert.equal(line('metadata.name'), 3);
  assert.equal(line('spec.template.spec.containers[0].image'), 10);
  assert.equal(line('spec.template.spec.containers[1].image'), 12);
  assert.equal(line('spec.template.spec.containers[1].ports[1].containerPort'), 15);
  assert.equal(line('spec.template.spec.containers[1].resources'), 11, 'a missing key points at its parent');
  assert.equal(line('status'), -1);
  assert.equal(fieldLine('data:\n  "bad key!": fast\n', 'data[bad key!]'), 1);
  assert.deepEqual(fieldSegments('a.b[2].c'), ['a', 'b', 2, 'c']);
  assert.deepEqual(fieldSegments('data[x y]'), ['data', 'x y']);
});

test('splitDocuments cuts a manifest at --- and keeps each document\'s first line', () => {
  const docs = splitDocuments('---\na: 1\n--- # second\nb: 2\nc: 3\n---\n# only a comment\n---\nd: 4\n');
  assert.deepEqual(docs.map((d) => [d.startLine, d.text.trim()]), [[1, 'a: 1'], [3, 'b: 2\nc: 3'], [8, 'd: 4']]);
});

test('usage history keeps a window and draws on a time axis', () => {
  let h = addSample([], { at: 0, milliCPU: 1, memory: 1 }, 60_000);
  h = addSample(h, { at: 30_000, milliCPU: 2, memory: 2 }, 60_000);
  h = addSample(h, { at: 70_000, milliCPU: 3, memory: 3 }, 60_000);
  assert.deepEqual(h.map((s) => s.at), [30_000, 70_000]);
  assert.equal(chartPoints([{ at: 40_000, value: 50 }, { at: 100_000, value: 100 }], { width: 120, height: 40, windowMs: 60_000, now: 100_000, top: 100 }), '0.0,20.0 120.0,0.0');
  assert.equal(niceCeiling(730), 1000);
  assert.equal(niceCeiling(0.13), 0.2);
  assert.deepEqual(usageOf({ containers: [{ usage: { cpu: '1500000n', memory: '1Mi' } }, { usage: { cpu: '2m', memory: '1024Ki' } }] }), { milliCPU: 3.5, memory: 2 * 1024 ** 2 });
  assert.equal(quantityNumber('250m'), 0.25);
  assert.equal(quantityNumber('bogus'), 0);
});
