// SPDX-License-Identifier: Apache-2.0
/**
 * `skiff dashboard` prints a login link to the built-in dashboard and opens
 * it: the link carries a short-lived token (TokenRequest) of a service
 * account in the URL fragment, which the page moves into its session and
 * removes from the address bar; the fragment never reaches a server. By
 * default the account is kube-system/skiff-dashboard-admin, bound to
 * cluster-admin as the admin who runs the command; `--service-account NS/NAME`
 * logs in as another account instead (RBAC then limits what the page shows).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HttpClient, R, ensureObject, readKubeconfig, type Client } from '../client/index.js';
import { parseDurationMs } from '../machinery/index.js';
import { parseCommandFlags } from './flags.js';

const ADMIN_ACCOUNT = { namespace: 'kube-system', name: 'skiff-dashboard-admin' };
const CLUSTER_ROLE_BINDINGS = { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterrolebindings' };

async function ensureAdminAccount(client: Client): Promise<void> {
  await ensureObject(client, R.serviceaccounts, { metadata: { ...ADMIN_ACCOUNT, labels: { 'app.kubernetes.io/managed-by': 'skiff' } } });
  await ensureObject(client, CLUSTER_ROLE_BINDINGS, {
    metadata: { name: ADMIN_ACCOUNT.name, labels: { 'app.kubernetes.io/managed-by': 'skiff' } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ kind: 'ServiceAccount', name: ADMIN_ACCOUNT.name, namespace: ADMIN_ACCOUNT.namespace }],
  });
}

/** dashboardLink mints a token for the account and returns the login URL. */
export async function dashboardLink(client: Client, server: string, account: { namespace: string; name: string }, ttlSeconds: number): Promise<string> {
  const review = await client.create(R.serviceaccounts, { metadata: { name: account.name, namespace: account.namespace }, spec: { expirationSeconds: ttlSeconds } }, { namespace: account.namespace, subresource: 'token' }) as { status?: { token?: string } };
  const token = review.status?.token;
  if (!token) throw new Error('the server returned no token');
  return `${server.replace(/\/$/, '')}/ui/#token=${encodeURIComponent(token)}`;
}

export async function runDashboard(args: string[]): Promise<void> {
  const flags = parseCommandFlags(
    args,
    {
      'data-dir': { type: 'string', default: '/var/lib/skiff', usage: 'data dir of the server whose admin kubeconfig mints the login' },
      'service-account': { type: 'string', default: '', usage: 'log in as this NAMESPACE/NAME service account (default: kube-system/skiff-dashboard-admin, a cluster-admin)' },
      ttl: { type: 'string', default: '1h', usage: 'how long the login lasts (at least 10m)' },
      'no-open': { type: 'boolean', default: false, usage: 'print the link without opening a browser' },
    },
    { name: 'skiff dashboard', summary: 'Print a login link to the web dashboard and open it in a browser.' },
  );
  const ttlMs = parseDurationMs(String(flags.ttl));
  if (!ttlMs || ttlMs < 600_000) {
    process.stderr.write(`skiff dashboard: --ttl must be a duration of at least 10m (like 1h), not ${JSON.stringify(flags.ttl)}\n`);
    process.exit(2);
  }
  const dataDir = String(flags['data-dir']);
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  if (!existsSync(kubeconfig)) {
    process.stderr.write(`skiff dashboard: ${kubeconfig} does not exist: is a server running with --data-dir ${dataDir}? ('skiff up' starts one)\n`);
    process.exit(2);
  }
  const admin = readKubeconfig(kubeconfig);
  const client = new HttpClient({ server: admin.server, ca: admin.caCert, cert: admin.clientCert, key: admin.clientKey });
  const named = String(flags['service-account']);
  let account = ADMIN_ACCOUNT;
  if (named) {
    const [namespace, name] = named.includes('/') ? named.split('/', 2) : ['default', named];
    account = { namespace, name };
  }
  try {
    if (!named) await ensureAdminAccount(client);
    const link = await dashboardLink(client, admin.server, account, Math.round(ttlMs / 1000));
    process.stdout.write(`${link}\n`);
    process.stderr.write(
      `The link logs in as ${account.namespace}/${account.name} for ${String(flags.ttl)}. The browser will not know the cluster's CA: ` +
        `trust ${join(dataDir, 'tls', 'ca.crt')}, or run 'kubectl proxy' and open http://127.0.0.1:8001/ui/ (no token needed).\n`,
    );
    if (!flags['no-open'] && process.env.DISPLAY) {
      spawn('xdg-open', [link], { detached: true, stdio: 'ignore' }).on('error', () => undefined).unref();
    }
  } catch (err) {
    process.stderr.write(`skiff dashboard: ${(err as Error).message}\n`);
    process.exit(1);
  } finally {
    client.close();
  }
}
