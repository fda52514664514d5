// SPDX-License-Identifier: Apache-2.0
/**
 * The one way Skiff's node components talk to netfilter: `iptables-save`
 * read into tables, `iptables-restore --noflush` applied as one transaction
 * (as kube-proxy and upstream's pkg/util/iptables do), and single iptables
 * commands, all waiting for the xtables lock. The Service proxy and the
 * NetworkPolicy enforcer render their own chains and use this to apply them.
 */
import { spawn } from 'node:child_process';

/** Runner executes a command with optional stdin and resolves its stdout; injectable for tests. */
export type Runner = (cmd: string, args: string[], input?: string) => Promise<string>;

/** execRunner runs real commands; a non-zero exit rejects with the command and its stderr. */
export const execRunner: Runner = (cmd, args, input) =>
  new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    // A restore that fails early stops reading its input; its exit status is the error that matters, not EPIPE.
    child.stdin.on('error', () => undefined);
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.trim()}`));
    });
    child.stdin.end(input ?? '');
  });

/** SavedTable is one table of `iptables-save` output. */
export interface SavedTable {
  chains: Set<string>;
  /** rules are the `-A ...` lines, as printed. */
  rules: string[];
}

/** parseSave reads `iptables-save` output into tables. */
export function parseSave(text: string): Map<string, SavedTable> {
  const tables = new Map<string, SavedTable>();
  let cur: SavedTable | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) tables.set(line.slice(1).trim(), (cur = { chains: new Set(), rules: [] }));
    else if (line.startsWith(':') && cur) cur.chains.add(line.slice(1).split(' ')[0]);
    else if (line.startsWith('-A ') && cur) cur.rules.push(line);
  }
  return tables;
}

// -w: wait for the xtables lock instead of failing when CNI or another node component holds it.
const WAIT = ['-w', '5'];

/** Iptables runs iptables-save, iptables-restore and iptables through a Runner. */
export class Iptables {
  constructor(readonly runner: Runner = execRunner) {}

  /** save returns `iptables-save` output for the given tables. */
  async save(tables: readonly string[] = ['nat', 'filter']): Promise<Map<string, SavedTable>> {
    const texts = await Promise.all(tables.map((t) => this.runner('iptables-save', ['-t', t])));
    return parseSave(texts.join('\n'));
  }

  /** restore applies a payload as one transaction, leaving chains it does not name alone. */
  async restore(payload: string): Promise<void> {
    await this.runner('iptables-restore', [...WAIT, '--noflush'], payload);
  }

  /** run runs one iptables command (`-C`, `-I`, `-D` ...). */
  async run(args: string[]): Promise<void> {
    await this.runner('iptables', [...WAIT, ...args]);
  }

  /** ownedChains lists the chains of `table` whose names start with `<prefix>-`. */
  async ownedChains(table: string, prefix: string): Promise<string[]> {
    return [...((await this.save([table])).get(table)?.chains ?? [])].filter((c) => c.startsWith(`${prefix}-`));
  }
}
