// SPDX-License-Identifier: Apache-2.0
/**
 * Workloads the multi-node tests share, built from the busybox image (see
 * src/images): httpd answering the pod's hostname on :8080, and a CGI
 * script at /cgi-bin/peer answering the client's address as the pod saw it
 * (so a test can tell whether anything NATed the traffic).
 */
import { BUSYBOX_IMAGE } from '../../../src/images/index.js';

/** PodInfo is what tests need of a pod. */
export interface PodInfo {
  name: string;
  node: string;
  ip: string;
}

const HTTPD = [
  'mkdir -p /www/cgi-bin',
  'hostname > /www/index.html',
  'touch /www/ready',
  `printf '#!/bin/sh\\nprintf "Content-Type: text/plain\\\\r\\\\n\\\\r\\\\n%%s" "$REMOTE_ADDR"\\n' > /www/cgi-bin/peer`,
  'chmod +x /www/cgi-bin/peer',
  'exec httpd -f -p 8080 -h /www',
].join(' && ');

function httpdContainer(): Record<string, unknown> {
  return {
    name: 'httpd', image: BUSYBOX_IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', HTTPD],
    ports: [{ name: 'http', containerPort: 8080 }],
    readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1, failureThreshold: 1 },
  };
}

/** webDeployment spreads `replicas` httpd pods one per node while it can (maxSkew 1 over hostnames). */
export function webDeployment(ns: string, name: string, replicas: number, extraSpec: Record<string, unknown> = {}): unknown {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns },
    spec: {
      replicas, selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 1,
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: name } } }],
          containers: [httpdContainer()],
          ...extraSpec,
        },
      },
    },
  };
}

/** podOn is a pod pinned to a node: a sleeping client, or (serve) an httpd. */
export function podOn(ns: string, name: string, node: string, labels: Record<string, string>, serve = false): unknown {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels },
    spec: {
      nodeName: node, terminationGracePeriodSeconds: 0,
      containers: [serve ? httpdContainer() : { name: 'c', image: BUSYBOX_IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }],
    },
  };
}
