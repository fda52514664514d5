// SPDX-License-Identifier: Apache-2.0
/**
 * Where a kubelet keeps its certificates: one PEM file holding the
 * certificate and its key, as upstream's `/var/lib/kubelet/pki/kubelet-client-current.pem`
 * and `kubelet-server-current.pem`, replaced atomically on rotation so a
 * crash never leaves half a pair.
 */
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PemPair } from '../../pki/index.js';

/** StoredCertificate is a pair with the validity of its certificate. */
export interface StoredCertificate extends PemPair {
  notBefore: Date;
  notAfter: Date;
}

/** describeCertificate reads the validity of a PEM certificate. */
export function describeCertificate(pair: PemPair): StoredCertificate {
  const x = new X509Certificate(pair.cert);
  return { ...pair, notBefore: new Date(x.validFrom), notAfter: new Date(x.validTo) };
}

/** loadCertificate reads a stored pair; undefined when missing, unreadable or expired. */
export function loadCertificate(path: string, now = new Date()): StoredCertificate | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/.exec(text)?.[0];
  const key = /-----BEGIN (?:EC |)PRIVATE KEY-----[\s\S]+?-----END (?:EC |)PRIVATE KEY-----\n?/.exec(text)?.[0];
  if (!cert || !key) return undefined;
  try {
    const stored = describeCertificate({ cert, key });
    return stored.notAfter > now ? stored : undefined;
  } catch {
    return undefined;
  }
}

/** storeCertificate writes the pair (mode 0600) through a temporary file and a rename. */
export function storeCertificate(path: string, pair: PemPair): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${pair.cert.trimEnd()}\n${pair.key.trimEnd()}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}
