// SPDX-License-Identifier: Apache-2.0
/** The `skiff` command: parses the sub-command and hands off to its module. */
import { parseCommandFlags, type CommandUsage, type FlagSpec } from './flags.js';
import { SKIFF_VERSION, KUBERNETES_VERSION } from '../version.js';
import { holdYoungGeneration } from './young-generation.js';

const USAGE = `skiff — a Kubernetes-compatible cluster in one process

Usage:
  skiff up [--data-dir DIR] [--https-port 6443]   install what is missing, start a cluster in the background,
                                                   and select its context in ~/.kube/config
  skiff status [--data-dir DIR]                    server, nodes and where the logs are
  skiff down [--data-dir DIR] [--purge]            stop it (and delete its data with --purge)
  skiff server --data-dir DIR [--https-port 6443] [--bind-address 127.0.0.1] [--disable-agent]
               [--simulated-nodes N] [--service-cidr 10.43.0.0/16] [--cluster-cidr 10.42.0.0/16]
               [--datastore-endpoint sqlite://PATH | https://ETCD1:2379,https://ETCD2:2379,...]
               [--datastore-cafile F --datastore-certfile F --datastore-keyfile F]
               [--tls-san NAME]... [--advertise-address IP]
  skiff agent --server URL --token TOKEN [--data-dir DIR] [--node-ip IP]   join this machine as a node
  skiff image import FILE.tar [--data-dir DIR]   load an image archive into the node's containerd
  skiff image ls [--data-dir DIR]
  skiff etcd-snapshot save --datastore-endpoint URLS [--file PATH]   back up the cluster from its etcd
  skiff dashboard [--data-dir DIR] [--service-account NS/NAME] [--ttl 1h]   print and open a login link to the web dashboard
  skiff kubeconfig --data-dir DIR      print the admin kubeconfig
  skiff token create [--ttl 24h] [--data-dir DIR]   create a bootstrap token and print the join token
  skiff version

Run 'skiff server --data-dir /tmp/skiff' and then 'KUBECONFIG=/tmp/skiff/kubeconfig.yaml kubectl get nodes'.
`;

export async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    // Each command loads only its own modules: start-up time is mostly module loading.
    case 'up':
      return (await import('./up-command.js')).runUp(rest);
    case 'down':
      return (await import('./up-command.js')).runDown(rest);
    case 'status':
      return (await import('./up-command.js')).runStatus(rest);
    case 'server':
      // Held from before its modules load until it has started (young-generation.ts).
      holdYoungGeneration();
      return (await import('./server-command.js')).runServer(rest);
    case 'image':
      return (await import('./image-command.js')).runImage(rest);
    case 'agent':
      // As for the server: held until it has joined and started.
      holdYoungGeneration();
      return (await import('./agent-command.js')).runAgent(rest);
    case 'etcd-snapshot':
      return (await import('./etcd-snapshot-command.js')).runEtcdSnapshot(rest);
    case 'dashboard':
      return (await import('./dashboard-command.js')).runDashboard(rest);
    case 'kubeconfig':
      return printFile(rest, 'kubeconfig.yaml', { name: 'skiff kubeconfig', summary: 'Print the admin kubeconfig of a server.' });
    case 'token':
      return (await import('./token-command.js')).runToken(rest);
    case 'version':
    case '--version':
      console.log(`skiff ${SKIFF_VERSION} (Kubernetes API v${KUBERNETES_VERSION.major}.${KUBERNETES_VERSION.minor})`);
      return;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return;
    default:
      fail(`unknown command ${JSON.stringify(cmd)}\n\n${USAGE}`);
  }
}

const DATA_DIR_FLAG: Record<string, FlagSpec> = { 'data-dir': { type: 'string', default: '/var/lib/skiff', usage: 'data dir of the server' } };

async function printFile(args: string[], name: string, usage: CommandUsage): Promise<void> {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const flags = parseCommandFlags(args, DATA_DIR_FLAG, usage);
  const path = join(String(flags['data-dir']), name);
  try {
    process.stdout.write(readFileSync(path, 'utf8'));
  } catch {
    fail(`cannot read ${path}: has 'skiff server --data-dir ${String(flags['data-dir'])}' run?`);
  }
}

export function fail(message: string): never {
  process.stderr.write(`skiff: ${message}\n`);
  process.exit(2);
}
