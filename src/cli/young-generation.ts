// SPDX-License-Identifier: Apache-2.0
/**
 * The young generation (V8's new space) of a long-lived command (`skiff
 * server`, `skiff agent`) during its start-up. Start-up loads some 500
 * modules and builds tables that live as long as the process; V8 reads
 * their survival as a sign the young generation is too small and doubles
 * its semi-spaces up to 16 MB each, and keeps them committed once the
 * start-up burst is over: about 20 MB of an idle server's RSS that holds
 * nothing. So start-up runs with semi-space
 * growth off (V8's initial 1 MB semi-spaces: what survives is promoted
 * early, which is where it ends up anyway), and V8's own sizing resumes
 * once the command has started, so a loaded server grows its young
 * generation to the size it had before (see STARTED_GROWTH_FACTOR).
 *
 * This works by changing --semi-space-growth-factor at run time, a flag V8
 * reads each time it grows the new space (unlike --max-semi-space-size,
 * which it reads once when the heap is set up, so that flag cannot be
 * carried by `node bin/skiff`). A user who sets either flag on node's
 * command line or in NODE_OPTIONS keeps what they chose.
 */
import { setFlagsFromString } from 'node:v8';

/**
 * The growth factor once started: one step from the initial 1 MB semi-spaces to
 * V8's 16 MB maximum. V8 grows the young generation only when what survives
 * scavenges outgrows it, which under API load happens within the first few
 * hundred requests; with V8's default factor (2) it took four such steps, and
 * requests in the meantime paid for small semi-spaces (6-39% more server CPU
 * per create over 3,000-create runs, against the unheld start, same runs). An idle server still shrinks
 * it: V8 shrinks the new space at a scavenge with little allocation, and at
 * such a scavenge a shrink wins over a growth.
 */
const STARTED_GROWTH_FACTOR = 16;

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

/** releaseYoungGeneration lets V8 size the new space again (after start-up), in one step to its maximum when it grows. */
export function releaseYoungGeneration(): void {
  if (!held) return;
  setFlagsFromString(`--semi-space-growth-factor=${STARTED_GROWTH_FACTOR}`);
  held = false;
}
