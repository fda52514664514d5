// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import {
  endpointSliceTableConvertor,
  endpointsTableConvertor,
  ingressClassTableConvertor,
  ingressTableConvertor,
  networkPolicyTableConvertor,
  serviceTableConvertor,
} from './network-printers.js';

const now = new Date('2024-05-01T12:00:00Z');
const created = new Date(now.getTime() - 45 * 86400 * 1000).toISOString();

function obj(kind: string, body: object, name = 'web'): KubeObject {
  return { kind, metadata: { name, namespace: 'default', creationTimestamp: created }, ...body };
}

function svc(spec: object, status: object = {}): KubeObject {
  return obj('Service', { spec: { selector: { app: 'web' }, ...spec }, status });
}

test('service columns: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE, wide SELECTOR', () => {
  assert.deepEqual(
    serviceTableConvertor.columns.map((c) => [c.name, c.priority]),
    [['Name', 0], ['Type', 0], ['Cluster-IP', 0], ['External-IP', 0], ['Port(s)', 0], ['Age', 0], ['Selector', 1]],
  );
});

test('each service type prints as upstream', () => {
  const clusterIP = svc({ type: 'ClusterIP', clusterIP: '10.43.0.10', clusterIPs: ['10.43.0.10'], ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }] });
  assert.deepEqual(serviceTableConvertor.row(clusterIP, now), ['web', 'ClusterIP', '10.43.0.10', '<none>', '80/TCP', '45d', 'app=web']);

  const headless = svc({ type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 5432, protocol: 'TCP' }] });
  assert.deepEqual(serviceTableConvertor.row(headless, now).slice(1, 5), ['ClusterIP', 'None', '<none>', '5432/TCP']);

  const nodePort = svc({
    type: 'NodePort',
    clusterIPs: ['10.43.1.2'],
    ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, nodePort: 30053, protocol: 'UDP' }],
  });
  assert.deepEqual(serviceTableConvertor.row(nodePort, now).slice(1, 5), ['NodePort', '10.43.1.2', '<none>', '80:30080/TCP,53:30053/UDP']);

  const pendingLB = svc({ type: 'LoadBalancer', clusterIPs: ['10.43.3.4'], ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] });
  assert.deepEqual(serviceTableConvertor.row(pendingLB, now).slice(1, 5), ['LoadBalancer', '10.43.3.4', '<pending>', '443:31443/TCP']);

  // The server prints wide, so a long address list is never clipped (upstream's TestPrintServiceLoadBalancer wide case).
  const lb = svc(
    { type: 'LoadBalancer', clusterIPs: ['1.5.6.7'], ports: [{ port: 80, protocol: 'TCP' }, { port: 8090, protocol: 'UDP' }, { port: 8000, protocol: 'TCP' }] },
    { loadBalancer: { ingress: [{ ip: '3.4.5.6' }, { ip: '2.3.4.5' }, { ip: '5.6.7.8', hostname: 'host5678' }, { hostname: 'lb.example.com' }] } },
  );
  assert.deepEqual(serviceTableConvertor.row(lb, now).slice(1, 5), ['LoadBalancer', '1.5.6.7', '2.3.4.5,3.4.5.6,5.6.7.8,lb.example.com', '80/TCP,8090/UDP,8000/TCP']);

  const lbWithExternal = svc(
    { type: 'LoadBalancer', clusterIPs: ['10.0.0.1'], externalIPs: ['192.0.2.9'], ports: [{ port: 80, protocol: 'TCP' }] },
    { loadBalancer: { ingress: [{ ip: '198.51.100.1' }] } },
  );
  assert.equal(serviceTableConvertor.row(lbWithExternal, now)[3], '198.51.100.1,192.0.2.9');

  const external = svc({ type: 'ExternalName', externalName: 'db.example.com', selector: undefined });
  assert.deepEqual(serviceTableConvertor.row(external, now), ['web', 'ExternalName', '<none>', 'db.example.com', '<none>', '45d', '<none>']);

  const withExternalIPs = svc({ type: 'ClusterIP', clusterIPs: ['10.43.0.5'], externalIPs: ['192.0.2.1', '192.0.2.2'], ports: [] });
  assert.deepEqual(serviceTableConvertor.row(withExternalIPs, now).slice(3, 5), ['192.0.2.1,192.0.2.2', '<none>']);
});

test('endpoints list up to three ip:port pairs', () => {
  const ep = obj('Endpoints', {
    subsets: [
      {
        addresses: [{ ip: '10.42.0.5' }, { ip: '10.42.0.6' }, { ip: 'fd00::7' }],
        notReadyAddresses: [{ ip: '10.42.0.9' }],
        ports: [{ port: 8080, protocol: 'TCP' }, { name: 'metrics', port: 9090, protocol: 'TCP' }],
      },
    ],
  });
  assert.deepEqual(endpointsTableConvertor.row(ep, now), ['web', '10.42.0.5:8080,10.42.0.6:8080,[fd00::7]:8080 + 3 more...', '45d']);
  assert.equal(endpointsTableConvertor.row(obj('Endpoints', {}), now)[1], '<none>');
  assert.equal(endpointsTableConvertor.row(obj('Endpoints', { subsets: [{ addresses: [{ ip: '10.0.0.1' }] }] }), now)[1], '10.0.0.1');
  assert.equal(endpointsTableConvertor.row(obj('Endpoints', { subsets: [{ notReadyAddresses: [{ ip: '10.0.0.1' }], ports: [{ port: 1 }] }] }), now)[1], '');
});

test('endpointslices list ports and addresses, <unset> when empty', () => {
  const slice = obj('EndpointSlice', {
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'named' }, {}],
    endpoints: [{ addresses: ['10.42.0.5'] }, { addresses: ['10.42.0.6'] }, { addresses: ['10.42.0.7'] }, { addresses: ['10.42.0.8'] }],
  }, 'web-abc12');
  assert.deepEqual(endpointSliceTableConvertor.row(slice, now), ['web-abc12', 'IPv4', '8080,named,*', '10.42.0.5,10.42.0.6,10.42.0.7 + 1 more...', '45d']);
  assert.deepEqual(endpointSliceTableConvertor.row(obj('EndpointSlice', { addressType: 'IPv4' }), now).slice(2, 4), ['<unset>', '<unset>']);
});

test('ingress: CLASS HOSTS ADDRESS PORTS', () => {
  assert.deepEqual(ingressTableConvertor.columns.map((c) => c.name), ['Name', 'Class', 'Hosts', 'Address', 'Ports', 'Age']);
  const ing = obj('Ingress', {
    spec: {
      ingressClassName: 'skiff',
      rules: [{ host: 'a.example.com' }, { host: 'b.example.com' }, {}, { host: 'c.example.com' }, { host: 'd.example.com' }],
      tls: [{ hosts: ['a.example.com'], secretName: 'tls' }],
    },
    status: { loadBalancer: { ingress: [{ ip: '192.168.1.10' }, { hostname: 'edge.local' }] } },
  });
  assert.deepEqual(ingressTableConvertor.row(ing, now), ['web', 'skiff', 'a.example.com,b.example.com,c.example.com + 2 more...', '192.168.1.10,edge.local', '80, 443', '45d']);
  const bare = obj('Ingress', { spec: { defaultBackend: { service: { name: 'web', port: { number: 80 } } } } });
  assert.deepEqual(ingressTableConvertor.row(bare, now), ['web', '<none>', '*', '', '80', '45d']);
});

test('ingressclass parameters and networkpolicy pod selector', () => {
  const ic = obj('IngressClass', { spec: { controller: 'example.com/controller', parameters: { apiGroup: 'example.com', kind: 'customgroup', name: 'example' } } });
  assert.deepEqual(ingressClassTableConvertor.row(ic, now), ['web', 'example.com/controller', 'customgroup.example.com/example', '45d']);
  const plain = obj('IngressClass', { spec: { controller: 'c', parameters: { kind: 'customgroup', name: 'example' } } });
  assert.equal(ingressClassTableConvertor.row(plain, now)[2], 'customgroup/example');
  assert.equal(ingressClassTableConvertor.row(obj('IngressClass', { spec: { controller: 'c' } }), now)[2], '<none>');

  const np = obj('NetworkPolicy', { spec: { podSelector: { matchLabels: { role: 'db' } } } });
  assert.deepEqual(networkPolicyTableConvertor.row(np, now), ['web', 'role=db', '45d']);
  assert.equal(networkPolicyTableConvertor.row(obj('NetworkPolicy', { spec: { podSelector: {} } }), now)[1], '<none>');
});
