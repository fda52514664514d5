/**
 * Test support for the nginx data plane's tests: they run against Debian's
 * real nginx and are skipped, saying why, where it is not installed.
 */
import { execFileSync } from 'node:child_process';

function nginxInstalled(): boolean {
  try {
    execFileSync('nginx', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** skipWithoutNginx is a node:test `skip` option: false with nginx, else the reason. */
export const skipWithoutNginx: false | string = !nginxInstalled() && 'nginx is not installed';
