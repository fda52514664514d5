// SPDX-License-Identifier: Apache-2.0
/**
 * runLogged runs a build step (debootstrap, the chroot script) and passes
 * its output lines to a logger; on failure the error carries the output's
 * tail, which is where apt and dpkg say what went wrong.
 */
import { spawn } from 'node:child_process';

/** runLogged resolves when `cmd args` exits 0 and rejects with its last output otherwise. */
export function runLogged(cmd: string, args: string[], log?: (line: string) => void, env?: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
    const tail: string[] = [];
    const onData = (d: Buffer) => {
      for (const line of d.toString().split('\n')) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > 40) tail.shift();
        log?.(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.slice(0, 4).join(' ')} ... failed (${signal ?? code}):\n${tail.join('\n')}`));
    });
  });
}
