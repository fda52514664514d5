// SPDX-License-Identifier: Apache-2.0
/**
 * `skiff image import FILE.tar [--data-dir DIR]` loads an OCI or docker
 * archive into the containerd of the node using DIR (like `k3s ctr images
 * import`); `skiff image ls` lists the images CRI sees there.
 */
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { parseCommandFlags } from './flags.js';
import { containerdLayout } from '../kubelet/index.js';
import { CriClient } from '../kubelet/index.js';
import { importImage } from '../images/index.js';

const FLAGS = { 'data-dir': { type: 'string' as const, default: '/var/lib/skiff', usage: 'data dir of the server (or agent) whose containerd gets the image' } };

/** runImage dispatches `skiff image <import|ls>`. */
export async function runImage(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const files = rest.filter((a, i) => !a.startsWith('--') && !(i > 0 && rest[i - 1] === '--data-dir'));
  const flags = parseCommandFlags(rest.filter((a) => !files.includes(a)), FLAGS, {
    name: `skiff image ${sub === 'ls' ? 'ls' : 'import'}`,
    args: sub === 'ls' ? '' : 'FILE.tar',
    summary: sub === 'ls' ? "List the images in the node's containerd." : "Load an image archive (docker-archive or OCI) into the node's containerd.",
  });
  const socket = containerdLayout(resolve(String(flags['data-dir']))).socketPath;
  if (!existsSync(socket)) return fail(`no containerd socket at ${socket}: is 'skiff server --data-dir ${String(flags['data-dir'])}' running with its agent?`);
  if (sub === 'import') {
    if (files.length === 0) return fail('usage: skiff image import FILE.tar [--data-dir DIR]');
    for (const f of files) {
      const names = await importImage(socket, resolve(f));
      for (const n of names) process.stdout.write(`imported ${n}\n`);
    }
    return;
  }
  if (sub === 'ls' || sub === 'list') {
    const cri = await CriClient.connect(socket);
    try {
      const { images } = await cri.listImages();
      process.stdout.write(`${'IMAGE'.padEnd(60)} ${'ID'.padEnd(20)} SIZE\n`);
      for (const i of images) {
        for (const tag of i.repo_tags.length ? i.repo_tags : ['<none>']) {
          process.stdout.write(`${tag.padEnd(60)} ${i.id.replace('sha256:', '').slice(0, 13).padEnd(20)} ${(Number(i.size) / 1e6).toFixed(1)}MB\n`);
        }
      }
    } finally {
      cri.close();
    }
    return;
  }
  fail(`unknown image command ${JSON.stringify(sub ?? '')}; try 'skiff image import FILE.tar' or 'skiff image ls'`);
}

function fail(message: string): never {
  process.stderr.write(`skiff image: ${message}\n`);
  process.exit(2);
}
