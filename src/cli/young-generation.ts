// SPDX-License-Identifier: Apache-2.0
/**
 * The young generation (V8's new space) of a long-lived command during its
 * start-up. Start-up loads some 500 modules and builds tables that live as
 * long as the process; V8 reads their survival as a sign the young
 * generation is too small and doubles its semi-spaces up to 16 MB each, and
 * keeps them committed once the start-up burst is over: about 20 MB of an
 * idle server's RSS that holds nothing. So start-up runs with semi-space
 * growth off (V8's initial 1 MB semi-spaces: what survives is promoted
 * early, which is where it ends up anyway), and V8's own sizing resumes
 * once the command has started, so a loaded server grows its young
 * generation as it always did.
 *
 * This works by changing --semi-space-growth-factor at run time, a flag V8
 * reads each time it grows the new space (unlike --max-semi-space-size,
 * which it reads once when the heap is set up, so that flag cannot be
 * carried by `node bin/skiff`). A user who sets either flag on node's
 * command line or in NODE_OPTIONS keeps what they chose.
 */
import { setFlagsFromString } from 'node:v8';

/** V8's default --semi-space-growth-factor (node --v8-options). */
const DEFAULT_GROWTH_FACTOR = 2;

let held = false;

function userChoseSemiSpaces(): boolean {
  return /semi[-_]space/.test([...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' '));
}

/** holdYoungGeneration keeps the new space at its initial size until releaseYoungGeneration. */
export function holdYoungGeneration(): void {
  if (held || userChoseSemiSpaces()) return;
  setFlagsFromString('--semi-space-growth-factor=1');
  held = true;
}

/** releaseYoungGeneration lets V8 size the new space again (after start-up). */
export function releaseYoungGeneration(): void {
  if (!held) return;
  setFlagsFromString(`--semi-space-growth-factor=${DEFAULT_GROWTH_FACTOR}`);
  held = false;
}
