// SPDX-License-Identifier: Apache-2.0
/**
 * Chromium in a network namespace of its own. Chromium aborts every request
 * in flight with ERR_NETWORK_CHANGED when the machine's interfaces change,
 * and the multi-node tests running beside the browser tests add and remove
 * links all the time; inside its own namespace the browser sees only its
 * veth. The host end of the veth carries a link-local address (169.254/16,
 * made by this harness and gone with it), and the browser reaches servers on
 * the host that listen on every address through it. close() removes the
 * namespace (and so the veth pair) and the launcher script.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export interface IsolatedBrowser {
  browser: Browser;
  /** hostAddress is the host's address as the browser reaches it (use it instead of 127.0.0.1 in URLs). */
  hostAddress: string;
  /**
   * advertiseAddress (with { advertiseAddress: true }) is a TEST-NET address
   * (192.0.2.0/24) this harness put on the host end of the veth: local to the
   * host, so a server advertising it (in the Endpoints of the dashboard's
   * Service, say) keeps all its traffic on this machine; unlike link-local
   * and loopback addresses, Endpoints may carry it.
   */
  advertiseAddress?: string;
  close(): Promise<void>;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** launchIsolatedChromium starts headless Chromium in a fresh network namespace joined to the host by a veth. */
export async function launchIsolatedChromium(opts: { advertiseAddress?: boolean } = {}): Promise<IsolatedBrowser> {
  const tag = randomBytes(3).toString('hex');
  const ns = `skiff-br-${tag}`;
  const hostLink = `vbh${tag}`;
  // A /30 somewhere in 169.254.128.0/17: two browsers on one machine practically never pick the same one.
  const [r1, r2] = randomBytes(2);
  const subnet = `169.254.${128 + (r1 & 0x7f)}`;
  const first = (r2 & 0x3f) * 4;
  const hostAddress = `${subnet}.${first + 1}`;
  const browserAddress = `${subnet}.${first + 2}`;
  // 192.0.2.128-253: the machine labs take their addresses from 198.51.100/24 and 203.0.113/24.
  const advertiseAddress = opts.advertiseAddress ? `192.0.2.${128 + (r1 % 126)}` : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'skiff-chromium-'));
  const cleanup = () => {
    spawnSync('ip', ['netns', 'del', ns]);
    spawnSync('ip', ['link', 'del', hostLink]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    ip('netns', 'add', ns);
    ip('link', 'add', hostLink, 'type', 'veth', 'peer', 'name', `vbn${tag}`);
    ip('link', 'set', `vbn${tag}`, 'netns', ns);
    ip('addr', 'add', `${hostAddress}/30`, 'dev', hostLink);
    if (advertiseAddress) ip('addr', 'add', `${advertiseAddress}/32`, 'dev', hostLink);
    ip('link', 'set', hostLink, 'up');
    ip('-n', ns, 'addr', 'add', `${browserAddress}/30`, 'dev', `vbn${tag}`);
    ip('-n', ns, 'link', 'set', `vbn${tag}`, 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    // Playwright talks to the browser over a pipe, which crosses namespaces; only the browser's sockets live in ns.
    const launcher = join(dir, 'chromium');
    writeFileSync(launcher, `#!/bin/sh\nexec ip netns exec ${ns} ${CHROMIUM} "$@"\n`, { mode: 0o755 });
    const browser = await chromium.launch({ executablePath: launcher, args: ['--no-sandbox'] });
    return {
      browser,
      hostAddress,
      advertiseAddress,
      async close() {
        await browser.close().catch(() => undefined);
        cleanup();
      },
    };
  } catch (err) {
    cleanup();
    throw err;
  }
}
