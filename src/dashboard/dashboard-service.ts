// SPDX-License-Identifier: Apache-2.0
/**
 * The dashboard where seed 003 looks for it: a `kubernetes-dashboard`
 * Service in kube-system, so `kubectl proxy` opens it at
 * /api/v1/namespaces/kube-system/services/https:kubernetes-dashboard:/proxy/.
 * The Service has no selector; its Endpoints and EndpointSlice name the
 * server's dashboard listener, which serves the same files at its root (the
 * service proxy strips the proxy prefix). Its one port has no name, as the
 * upstream dashboard's manifest has: the empty port in `https:NAME:` selects
 * the endpoint port named "" (upstream's service ResourceLocation).
 */
import { createServer, type Server } from 'node:https';
import type { Component } from '../machinery/index.js';
import { R, type Client } from '../client/index.js';
import { ensureObject, ensureObjectFields } from '../client/index.js';
import { DashboardFiles } from './static-files.js';

export const DASHBOARD_NAMESPACE = 'kube-system';
export const DASHBOARD_SERVICE = 'kubernetes-dashboard';

export interface DashboardOptions {
  client: Client;
  files: DashboardFiles;
  tls: { key: string; cert: string };
  bindAddress: string;
  /** port of the listener; 0 picks a free one (the Endpoints follow it). */
  port: number;
  /** advertiseAddress is what the Endpoints name (not loopback: Endpoints may not). */
  advertiseAddress: string;
  log: (msg: string) => void;
}

/** publishDashboardService points the kubernetes-dashboard Service at address:port. */
export async function publishDashboardService(client: Client, address: string, port: number): Promise<void> {
  const labels = { 'k8s-app': 'kubernetes-dashboard', 'app.kubernetes.io/managed-by': 'skiff' };
  const metadata = { name: DASHBOARD_SERVICE, namespace: DASHBOARD_NAMESPACE, labels };
  await ensureObject(client, R.services, { metadata, spec: { ports: [{ port: 443, targetPort: 8443, protocol: 'TCP' }] } });
  // The listener's port may change between starts (0 picks a free one): the endpoints follow it.
  await ensureObjectFields(client, R.endpoints, { metadata, subsets: [{ addresses: [{ ip: address }], ports: [{ port, protocol: 'TCP' }] }] }, ['subsets']);
  await ensureObjectFields(client, R.endpointslices, {
    metadata: { ...metadata, labels: { ...labels, 'kubernetes.io/service-name': DASHBOARD_SERVICE, 'endpointslice.kubernetes.io/managed-by': 'dashboard.skiff.dev' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [address], conditions: { ready: true } }],
    ports: [{ port, protocol: 'TCP' }],
  }, ['endpoints', 'ports']);
}

/** dashboardListener serves the UI at its root over TLS and keeps the Service pointing at it. */
export function dashboardListener(o: DashboardOptions): Component {
  let server: Server | undefined;
  return {
    name: 'dashboard',
    async start() {
      const s = createServer({ key: o.tls.key, cert: o.tls.cert }, (req, res) => {
        const path = new URL(req.url ?? '/', 'https://localhost').pathname;
        o.files.serve(req, res, path.replace(/^\/ui(\/|$)/, '/'));
      });
      server = s;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(o.port, o.bindAddress, () => resolve());
      });
      const port = (s.address() as { port: number }).port;
      await publishDashboardService(o.client, o.advertiseAddress, port);
      o.log(`dashboard: serving at /ui/ on the API port and on ${o.bindAddress}:${port} behind the ${DASHBOARD_NAMESPACE}/${DASHBOARD_SERVICE} Service`);
    },
    async stop() {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server?.closeAllConnections();
    },
  };
}
