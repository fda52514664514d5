// SPDX-License-Identifier: Apache-2.0
/**
 * What SqliteStore does when the file system under its database stops
 * taking writes. A full disk (SQLITE_FULL) clears by itself once space
 * returns, on the same connection. A read-only or failing file system
 * (SQLITE_READONLY*, SQLITE_IOERR*, SQLITE_CANTOPEN: ext4 remounts itself
 * read-only after an error, a disk goes away) does not: the open files
 * belong to the broken mount, which cannot be repaired while they are
 * open. So the store keeps serving reads from the open connection, refuses
 * writes with the cause, and every few seconds checks whether the data dir
 * takes a file again; once it does (repaired and mounted back), it closes
 * the old connection and opens the database anew, without a restart. Each
 * change of state is logged once.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { StoreWriteFailedError } from '../errors.js';

/** The SQLite result codes (better-sqlite3's error codes) of a file system that stopped taking writes. */
const UNWRITABLE = /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN)/;
/** Of those, the ones the open connection cannot recover from. */
const NEEDS_REOPEN = /^SQLITE_(READONLY|IOERR|CANTOPEN)/;

export interface WriteFailuresOptions {
  /** path of the database file. */
  path: string;
  /** reopen replaces the store's connection; it throws when the database cannot be opened yet. */
  reopen(): void;
  log(msg: string): void;
  /** How often a read-only data dir is checked for writability (default 2 s). */
  retryMs?: number;
}

export class WriteFailures {
  readonly #o: WriteFailuresOptions;
  /** failing is the code of the failure writes are refused for, or undefined while writes work. */
  #failing: string | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: WriteFailuresOptions) {
    this.#o = opts;
  }

  /** translate turns a write's file-system failure into StoreWriteFailedError (logging the first), and passes anything else through. */
  translate(err: unknown): unknown {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string' || !UNWRITABLE.test(code)) return err;
    const message = (err as Error).message;
    const why = code.startsWith('SQLITE_FULL') ? 'the disk is full' : 'the data dir is read-only or failing';
    if (this.#failing === undefined) {
      this.#o.log(`storage: writing ${this.#o.path} failed: ${message} (${code}): ${why}; writes are refused and reads still served until it takes writes again`);
    }
    this.#failing = code;
    if (NEEDS_REOPEN.test(code)) this.#scheduleReopen();
    return new StoreWriteFailedError(`${message} (${code}): ${why}; writes are refused until ${dirname(this.#o.path)} takes writes again`, { cause: err });
  }

  /** succeeded notes a committed write: writes work (again). */
  succeeded(): void {
    if (this.#failing === undefined) return;
    this.#failing = undefined;
    this.#o.log(`storage: writes to ${this.#o.path} resumed`);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #scheduleReopen(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.#tryReopen(), this.#o.retryMs ?? 2000);
    this.#timer.unref();
  }

  #tryReopen(): void {
    // A probe file first: while the mount is read-only the old connection stays and reads keep working.
    const probe = join(dirname(this.#o.path), '.write-probe');
    try {
      writeFileSync(probe, 'probe');
      rmSync(probe, { force: true });
    } catch {
      return;
    }
    try {
      this.#o.reopen();
    } catch (err) {
      this.#o.log(`storage: reopening ${this.#o.path}: ${(err as Error).message}; trying again`);
      return;
    }
    this.stop();
    this.#failing = undefined;
    this.#o.log(`storage: ${dirname(this.#o.path)} takes writes again; reopened ${this.#o.path} and writes resumed`);
  }
}
