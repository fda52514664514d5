// SPDX-License-Identifier: Apache-2.0
/** The end of a supervised process's log, quoted in error messages. */
import { readFileSync } from 'node:fs';

/** logTail returns the last `lines` lines of a log file, or '(no log)' when it cannot be read. */
export function logTail(path: string, lines = 20): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
