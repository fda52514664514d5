// SPDX-License-Identifier: Apache-2.0
/**
 * The pod's managed /etc/hosts, as upstream kubelet_pods.go
 * ensureHostsFile/managedHostsFileContent writes it: localhost entries, the
 * pod's IP with its hostname (and FQDN when it has a subdomain), then hostAliases.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';

/** ETC_HOSTS_FILE is the file's name in the pod directory; containers bind-mount it. */
export const ETC_HOSTS_FILE = 'etc-hosts';

/** writeEtcHosts writes the pod's hosts file into podDir. */
export function writeEtcHosts(pod: Pod, podIP: string, podDir: string, clusterDomain: string): void {
  const host = pod.spec?.hostname ?? pod.metadata?.name ?? '';
  const fqdn = pod.spec?.subdomain ? `${host}.${pod.spec.subdomain}.${pod.metadata?.namespace}.svc.${clusterDomain}\t` : '';
  const lines = ['# Kubernetes-managed hosts file.', '127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet', 'fe00::0\tip6-mcastprefix', 'fe00::1\tip6-allnodes', 'fe00::2\tip6-allrouters'];
  if (podIP) lines.push(`${podIP}\t${fqdn}${host}`);
  for (const a of pod.spec?.hostAliases ?? []) lines.push(`${a.ip}\t${(a.hostnames ?? []).join('\t')}`);
  mkdirSync(podDir, { recursive: true });
  writeFileSync(join(podDir, ETC_HOSTS_FILE), `${lines.join('\n')}\n`);
}
