// SPDX-License-Identifier: Apache-2.0
/**
 * CertificateManager keeps one kubelet certificate fresh, as client-go's
 * certificate manager: it loads the stored pair (or asks for a first one),
 * and renews it at a jittered 70–90% of its lifetime through a new
 * CertificateSigningRequest, storing the result and handing it to
 * `onRotate` (the client switches credentials, the kubelet server its TLS
 * context). A failed renewal is retried with back-off while the old
 * certificate is still valid.
 */
import type { Client } from '../../client/index.js';
import type { PemPair } from '../../pki/index.js';
import { describeCertificate, loadCertificate, storeCertificate, type StoredCertificate } from './certificate-store.js';
import { requestCertificate, type CertificateRequestOptions } from './certificate-request.js';

export interface CertificateManagerOptions extends Omit<CertificateRequestOptions, 'signal'> {
  /** path of the stored pair. */
  path: string;
  /** client sends the renewal requests (the node's own credentials). */
  client: () => Client;
  onRotate?: (pair: PemPair) => void;
  /** random in [0,1) for the jitter (tests pin it). */
  random?: () => number;
}

/** rotationDeadline is when to renew: 70–90% of the way from notBefore to notAfter, as upstream's nextRotationDeadline. */
export function rotationDeadline(c: { notBefore: Date; notAfter: Date }, random: () => number = Math.random): Date {
  const total = c.notAfter.getTime() - c.notBefore.getTime();
  return new Date(c.notBefore.getTime() + total * (0.7 + 0.2 * random()));
}

/** CertificateManager owns one stored, rotating certificate. */
export class CertificateManager {
  readonly #o: CertificateManagerOptions;
  #current?: StoredCertificate;
  #timer?: NodeJS.Timeout;

  constructor(o: CertificateManagerOptions) {
    this.#o = o;
    this.#current = loadCertificate(o.path);
  }

  /** current is the stored pair, if any valid one exists. */
  get current(): StoredCertificate | undefined {
    return this.#current;
  }

  /** obtain returns the stored pair, or (none, or `replace`) requests, stores and returns a new one through `client`. */
  async obtain(client: Client, signal?: AbortSignal, replace = false): Promise<StoredCertificate> {
    if (this.#current && !replace) return this.#current;
    const pair = await requestCertificate(client, { ...this.#o, signal });
    storeCertificate(this.#o.path, pair);
    this.#current = describeCertificate(pair);
    return this.#current;
  }

  /** start schedules renewals until the signal aborts. */
  start(signal: AbortSignal): void {
    signal.addEventListener('abort', () => clearTimeout(this.#timer), { once: true });
    this.#schedule(signal, 0);
  }

  #schedule(signal: AbortSignal, failures: number): void {
    if (signal.aborted || !this.#current) return;
    const due = rotationDeadline(this.#current, this.#o.random).getTime();
    const backoff = failures ? Math.min(2 ** failures * 1000, 5 * 60_000) : 0;
    const wait = Math.max(due - Date.now(), backoff);
    // setTimeout holds at most ~24.8 days; a longer wait is taken in steps.
    this.#timer = setTimeout(() => {
      if (Date.now() < due) return this.#schedule(signal, failures);
      this.#rotate(signal).then(
        () => this.#schedule(signal, 0),
        (err) => {
          this.#o.log?.(`certificate: renewing ${this.#o.subject.commonName} (${this.#o.signerName}) failed, retrying: ${(err as Error).message}`);
          this.#schedule(signal, failures + 1);
        },
      );
    }, Math.min(wait, 2 ** 31 - 1));
    this.#timer.unref();
  }

  async #rotate(signal: AbortSignal): Promise<void> {
    const pair = await requestCertificate(this.#o.client(), { ...this.#o, signal });
    storeCertificate(this.#o.path, pair);
    this.#current = describeCertificate(pair);
    this.#o.log?.(`certificate: rotated ${this.#o.subject.commonName} (${this.#o.signerName}), valid until ${this.#current.notAfter.toISOString()}`);
    this.#o.onRotate?.(pair);
  }
}
