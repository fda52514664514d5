// SPDX-License-Identifier: Apache-2.0
/**
 * Joining a cluster, as kubeadm join and the kubelet's TLS bootstrap do:
 *
 * 1. Discovery: the server's CA is taken from its TLS chain and trusted only
 *    if its public key hash is the one the join token pins
 *    (kubeadm's --discovery-token-ca-cert-hash), or it is given (--ca-file).
 *    Nothing is sent to a server that fails this check.
 * 2. TLS bootstrap: as `system:bootstrap:<id>` (the token), the agent sends a
 *    CertificateSigningRequest for `system:node:<name>` to the signer
 *    `kubernetes.io/kube-apiserver-client-kubelet`, waits for the approver
 *    and signer, and stores the pair in `<data-dir>/pki`.
 * 3. From then on the node uses its certificate; it is renewed before expiry,
 *    and a restart reuses it (the token is not needed again).
 *
 * The kubelet's serving certificate comes the same way from
 * `kubernetes.io/kubelet-serving`, asked with the node's own credentials, and
 * so does the node's network identity (`system:skiff-node-network:<node>`
 * from `kubernetes.io/kube-apiserver-client`), which the service proxy and
 * NetworkPolicy enforcer use: the kubelet's credentials read only what its
 * own pods need (upstream gives kube-proxy and policy agents identities of
 * their own; k3s hands each agent a kube-proxy client certificate).
 */
import { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HttpClient } from '../client/index.js';
import { caPublicKeyHash, type PemPair } from '../pki/index.js';
import { parseJoinToken, KUBELET_CLIENT_SIGNER, KUBELET_SERVING_SIGNER, KUBE_APISERVER_CLIENT_SIGNER, nodeNetworkSubject } from '../api/index.js';
import { CertificateManager, type StoredCertificate } from '../kubelet/index.js';
import { StatusError } from '../machinery/index.js';

/** JoinError is a refusal to join that the user can act on; its message says what to do. */
export class JoinError extends Error {}

export interface JoinOptions {
  server: string;
  token: string;
  dataDir: string;
  nodeName: string;
  /** caFile is a CA to trust instead of (or besides) the token's pin. */
  caFile?: string;
  /** caCertHash pins the CA for a bare `<id>.<secret>` token (kubeadm's --discovery-token-ca-cert-hash, `sha256:<hex>`). */
  caCertHash?: string;
  /** nodeAddresses go into the kubelet serving certificate (the node's InternalIP). */
  nodeAddresses: string[];
  log: (msg: string) => void;
  signal?: AbortSignal;
}

/** JoinedNode is the node's client and what the NodeAgent needs to serve with certificates from the cluster CA. */
export interface JoinedNode {
  client: HttpClient;
  /** networkClient is the node's network identity, for the service proxy and NetworkPolicy enforcer. */
  networkClient: HttpClient;
  caCert: string;
  servingCertificate: (nodeName: string, onRotate: (pair: PemPair) => void) => Promise<PemPair>;
  /** startRotation renews the client certificate (and the serving one once made) until the signal aborts. */
  startRotation(signal: AbortSignal): void;
}

/** serverChainCA reads the last certificate of the server's TLS chain (Skiff serves its CA after the leaf), without trusting it. */
export async function serverChainCA(server: string): Promise<string> {
  const u = new URL(server);
  return new Promise<string>((resolve, reject) => {
    const s = connect({ host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 443), rejectUnauthorized: false, servername: /^[\d.]+$|:/.test(u.hostname) ? undefined : u.hostname }, () => {
      let cert = s.getPeerCertificate(true);
      while (cert.issuerCertificate && cert.issuerCertificate !== cert && cert.issuerCertificate.fingerprint256 !== cert.fingerprint256) cert = cert.issuerCertificate;
      s.end();
      resolve(`-----BEGIN CERTIFICATE-----\n${cert.raw.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`);
    });
    s.setTimeout(30_000, () => s.destroy(new Error('timed out')));
    s.on('error', (err) => reject(new JoinError(`cannot reach ${server}: ${err.message}`)));
  });
}

/** discoverCA returns the CA to trust for the server, refusing one the token does not pin. */
async function discoverCA(o: JoinOptions, pin: string | undefined): Promise<string> {
  const saved = join(o.dataDir, 'server-ca.crt');
  let ca: string;
  if (o.caFile) ca = readFileSync(o.caFile, 'utf8');
  else if (existsSync(saved)) ca = readFileSync(saved, 'utf8');
  else if (pin) ca = await serverChainCA(o.server);
  else throw new JoinError('the token carries no CA hash: use the K10<hash>::<id>.<secret> token that \'skiff token create\' prints, or pass --discovery-token-ca-cert-hash sha256:<hex> or --ca-file');
  if (pin) {
    const seen = caPublicKeyHash(ca);
    if (seen !== pin) {
      throw new JoinError(`refusing to join ${o.server}: its CA's public key hash is ${seen} but the token pins ${pin}; the server is not the cluster the token was made for (or the token was mistyped)`);
    }
  }
  writeFileSync(saved, ca, { mode: 0o600 });
  return ca;
}

function explain(err: unknown, server: string): Error {
  if (err instanceof StatusError && err.code === 401) {
    return new JoinError(`the server ${server} refused the join token (401 Unauthorized): it is unknown, expired or malformed; make a new one with 'skiff token create' on the server`);
  }
  if (err instanceof StatusError && err.code === 403) {
    return new JoinError(`the server ${server} does not let this token ask for a node certificate (403): ${err.message}`);
  }
  return err as Error;
}

/** joinCluster verifies the server, obtains (or reuses) the node's client certificate and returns the node's client. */
export async function joinCluster(o: JoinOptions): Promise<JoinedNode> {
  const token = parseJoinToken(o.token);
  // The node's client exists once there is a certificate; rotation swaps the certificate inside it.
  let client: HttpClient | undefined;
  const stored: CertificateManager = new CertificateManager({
    path: join(o.dataDir, 'pki', 'kubelet-client-current.pem'),
    signerName: KUBELET_CLIENT_SIGNER,
    usages: ['digital signature', 'client auth'],
    subject: { commonName: `system:node:${o.nodeName}`, organizations: ['system:nodes'] },
    client: () => client!,
    onRotate: (p) => client!.setClientCertificate(p.cert, p.key),
    log: o.log,
  });
  if (!token && !stored.current) {
    throw new JoinError('the token is not a join token: expected K10<ca-hash>::<id>.<secret> (from \'skiff token create\') or <id>.<secret> with --ca-file');
  }
  if (o.caCertHash && !/^sha256:[0-9a-f]{64}$/.test(o.caCertHash)) throw new JoinError(`--discovery-token-ca-cert-hash: expected sha256:<64 hex digits>, got ${JSON.stringify(o.caCertHash)}`);
  const ca = await discoverCA(o, token?.caHash ?? o.caCertHash);
  let pair: StoredCertificate | undefined = stored.current;
  if (pair) {
    o.log(`join: reusing the node certificate in ${join(o.dataDir, 'pki')} (valid until ${pair.notAfter.toISOString()})`);
  } else {
    const bootstrap = new HttpClient({ server: o.server, ca, token: `${token!.id}.${token!.secret}` });
    try {
      o.log(`join: server CA verified (${caPublicKeyHash(ca)}); asking for a client certificate for system:node:${o.nodeName} as system:bootstrap:${token!.id}`);
      pair = await stored.obtain(bootstrap, o.signal);
    } catch (err) {
      throw explain(err, o.server);
    } finally {
      bootstrap.close();
    }
    o.log(`join: node certificate issued, valid until ${pair.notAfter.toISOString()}`);
  }
  const nodeClient = new HttpClient({ server: o.server, ca, cert: pair.cert, key: pair.key });
  client = nodeClient;
  // Asked (and renewed) with the node's credentials, so an agent that joined before this identity existed gets it on restart.
  let networkClient: HttpClient | undefined;
  const network = new CertificateManager({
    path: join(o.dataDir, 'pki', 'node-network-client-current.pem'),
    signerName: KUBE_APISERVER_CLIENT_SIGNER,
    usages: ['digital signature', 'client auth'],
    subject: nodeNetworkSubject(o.nodeName),
    client: () => nodeClient,
    onRotate: (p) => networkClient!.setClientCertificate(p.cert, p.key),
    log: o.log,
  });
  const networkPair = await network.obtain(nodeClient, o.signal).catch((err) => {
    throw explain(err, o.server);
  });
  networkClient = new HttpClient({ server: o.server, ca, cert: networkPair.cert, key: networkPair.key });
  let serving: CertificateManager | undefined;
  let rotationSignal: AbortSignal | undefined;
  return {
    client: nodeClient,
    networkClient,
    caCert: ca,
    async servingCertificate(nodeName, onRotate) {
      serving = new CertificateManager({
        path: join(o.dataDir, 'pki', 'kubelet-server-current.pem'),
        signerName: KUBELET_SERVING_SIGNER,
        usages: ['digital signature', 'server auth'],
        subject: { commonName: `system:node:${nodeName}`, organizations: ['system:nodes'], sans: [nodeName, ...o.nodeAddresses] },
        client: () => nodeClient,
        onRotate,
        log: o.log,
      });
      // A stored certificate for other addresses (the node moved) is replaced.
      const current = serving.current;
      const stale = !!current && !o.nodeAddresses.every((a) => sansOf(current.cert).includes(a));
      const got = await serving.obtain(nodeClient, o.signal, stale).catch((err) => {
        throw explain(err, o.server);
      });
      if (rotationSignal) serving.start(rotationSignal);
      return got;
    },
    startRotation(signal) {
      rotationSignal = signal;
      stored.start(signal);
      network.start(signal);
      serving?.start(signal);
    },
  };
}

function sansOf(certPem: string): string[] {
  return (new X509Certificate(certPem).subjectAltName ?? '').split(',').map((s) => s.trim().replace(/^(DNS|IP Address):/, ''));
}
