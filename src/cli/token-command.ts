// SPDX-License-Identifier: Apache-2.0
/**
 * `skiff token create [--ttl 24h] [--description TEXT] [--data-dir DIR]`
 * creates a bootstrap token through the API with the server's admin
 * kubeconfig and prints the join token for `skiff agent --token`.
 */
import { join } from 'node:path';
import { FlagError, parseFlags } from './flags.js';
import { HttpClient, loadKubeconfig } from '../client/index.js';
import { createJoinToken } from '../server/index.js';
import { parseDurationMs } from '../machinery/index.js';

/** runToken runs `skiff token <sub-command>`. */
export async function runToken(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'create') return fail(`unknown token command ${JSON.stringify(sub ?? '')}; try 'skiff token create'`);
  let flags;
  try {
    flags = parseFlags(rest, {
      'data-dir': { type: 'string', default: '/var/lib/skiff' },
      ttl: { type: 'string', default: '24h' },
      description: { type: 'string' },
    });
  } catch (err) {
    if (err instanceof FlagError) return fail(err.message);
    throw err;
  }
  const ttl = String(flags.ttl);
  const ttlMs = ttl === '0' ? 0 : parseDurationMs(ttl);
  if (ttlMs === undefined) return fail(`--ttl: invalid duration ${JSON.stringify(ttl)} (e.g. 24h, 30m, 0 for never)`);
  const kubeconfig = join(String(flags['data-dir']), 'kubeconfig.yaml');
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
