// SPDX-License-Identifier: Apache-2.0
/**
 * `skiff token create [--ttl 24h] [--description TEXT] [--data-dir DIR] [--kubeconfig FILE]`
 * creates a bootstrap token through the API with the server's admin
 * kubeconfig and prints the join token for `skiff agent --token`.
 */
import { join } from 'node:path';
import { parseCommandFlags } from './flags.js';
import { HttpClient, loadKubeconfig } from '../client/index.js';
import { createJoinToken } from '../server/index.js';
import { parseDurationMs } from '../machinery/index.js';

/** runToken runs `skiff token <sub-command>`. */
export async function runToken(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const help = sub === '--help' || sub === '-h';
  if (sub !== 'create' && !help) return fail(`unknown token command ${JSON.stringify(sub ?? '')}; try 'skiff token create'`);
  const flags = parseCommandFlags(help ? ['--help'] : rest, {
    'data-dir': { type: 'string', default: '/var/lib/skiff', usage: 'data directory of the server (its admin kubeconfig is used)' },
    ttl: { type: 'string', default: '24h', usage: 'how long the token authenticates (0: never expires)' },
    description: { type: 'string', usage: 'human-readable note stored with the token' },
    kubeconfig: { type: 'string', usage: 'kubeconfig to create the token with (default: the admin kubeconfig in the data dir)' },
  }, { name: 'skiff token create', summary: 'Create a bootstrap token and print the join token (K10<ca-hash>::<id>.<secret>) for `skiff agent --token`.' });
  const ttl = String(flags.ttl);
  const ttlMs = ttl === '0' ? 0 : parseDurationMs(ttl);
  if (ttlMs === undefined) return fail(`--ttl: invalid duration ${JSON.stringify(ttl)} (e.g. 24h, 30m, 0 for never)`);
  const kubeconfig = flags.kubeconfig ? String(flags.kubeconfig) : join(String(flags['data-dir']), 'kubeconfig.yaml');
  let opts;
  try {
    opts = loadKubeconfig(kubeconfig);
  } catch {
    return fail(`cannot read ${kubeconfig}: has 'skiff server --data-dir ${String(flags['data-dir'])}' run?`);
  }
  const client = new HttpClient(opts);
  try {
    const token = await createJoinToken(client, {
      caCert: opts.ca.toString(),
      ttlSeconds: Math.round(ttlMs / 1000),
      description: flags.description ? String(flags.description) : undefined,
    });
    process.stdout.write(`${token}\n`);
  } catch (err) {
    fail(`creating the token through ${opts.server}: ${(err as Error).message}`);
  } finally {
    client.close();
  }
}

function fail(message: string): never {
  process.stderr.write(`skiff token: ${message}\n`);
  process.exit(2);
}
