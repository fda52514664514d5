// SPDX-License-Identifier: Apache-2.0
/**
 * waitFor polls `fn` until it returns something truthy, for tests that wait
 * on a cluster converging. A thrown error counts as "not yet"; on timeout the
 * last error is part of the message, so a failure says what it last saw.
 */
export async function waitFor<T>(
  what: string,
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
