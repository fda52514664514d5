// SPDX-License-Identifier: Apache-2.0
/**
 * The secrets every server of one cluster must share (the CA's key, the
 * service-account signing key, the encryption keys for Secrets at rest),
 * handed to a joining server as k3s's /v1-k3s/server-bootstrap does: over the
 * API port, to a caller presenting the server token (HTTP Basic
 * `server:<secret>`), after the caller checked our CA against the token's
 * hash. Nothing is served to anyone else, and bootstrap (agent) tokens do not
 * open it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'node:https';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encryptionKeysPath, loadOrCreateSigningKey, serviceAccountKeyPath, type APIServer } from '../apiserver/index.js';
import { caPublicKeyHash } from '../pki/index.js';
import { writeFileAtomic } from '../machinery/index.js';
import { parseServerToken, secretMatches, type ServerToken } from './server-token.js';

const PREFIX = '/v1-skiff';
const PATH = '/server-bootstrap';

/** ClusterSecrets is what a joining server receives. */
export interface ClusterSecrets {
  caCert: string;
  caKey: string;
  serviceAccountKey: string;
  /** encryptionConfig is the EncryptionConfiguration file, verbatim. */
  encryptionConfig: string;
  /** etcdEndpoints are the client URLs of the cluster's etcd members. */
  etcdEndpoints: string[];
}

const files = (dataDir: string) => ({
  caCert: join(dataDir, 'tls', 'ca.crt'),
  caKey: join(dataDir, 'tls', 'ca.key'),
  serviceAccountKey: serviceAccountKeyPath(dataDir),
  encryptionConfig: encryptionKeysPath(dataDir),
});

/** serveClusterSecrets answers GET /v1-skiff/server-bootstrap for holders of the server token. */
export function serveClusterSecrets(api: APIServer, o: { dataDir: string; token: ServerToken; etcdEndpoints: () => Promise<string[]>; log: (m: string) => void }): void {
  // The signing key is otherwise made when the controller manager first starts; a joining server may ask before.
  loadOrCreateSigningKey(serviceAccountKeyPath(o.dataDir));
  api.servePublicFiles(PREFIX, (req: IncomingMessage, res: ServerResponse, rest: string) => {
    const reply = (code: number, body: object) => {
      res.writeHead(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    if (rest !== PATH) return reply(404, { message: 'not found' });
    if (req.method !== 'GET') return reply(405, { message: 'method not allowed' });
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const [user, secret] = basic ? Buffer.from(basic, 'base64').toString('utf8').split(/:(.*)/s) : [];
    if (user !== 'server' || !secret || !secretMatches(o.token, secret)) {
      o.log(`server-bootstrap: refused a request from ${req.socket.remoteAddress}: it did not present the server token`);
      return reply(401, { message: 'Unauthorized: the server token is required' });
    }
    const f = files(o.dataDir);
    o.etcdEndpoints().then((etcdEndpoints) => {
      // Files this server made at start-up; a read that fails answers 503 rather than ending the process.
      const body: ClusterSecrets = {
        caCert: readFileSync(f.caCert, 'utf8'),
        caKey: readFileSync(f.caKey, 'utf8'),
        serviceAccountKey: readFileSync(f.serviceAccountKey, 'utf8'),
        encryptionConfig: readFileSync(f.encryptionConfig, 'utf8'),
        etcdEndpoints,
      };
      o.log(`server-bootstrap: sent the cluster secrets to ${req.socket.remoteAddress}`);
      reply(200, body);
    }).catch((err: Error) => reply(503, { message: `cannot hand out the cluster secrets now: ${err.message}` }));
  });
}

/** hasClusterSecrets says the data dir already holds the shared secrets (a restart of a joined server). */
export function hasClusterSecrets(dataDir: string): boolean {
  return Object.values(files(dataDir)).every((p) => existsSync(p));
}

/**
 * fetchClusterSecrets verifies the server's CA against the token's hash,
 * fetches the secrets with the token and writes them into the data dir where
 * the server reads them (tls/ca.*, tls/service-account.key, encryption/keys.json).
 */
export async function fetchClusterSecrets(server: string, tokenText: string, dataDir: string, log: (m: string) => void): Promise<ClusterSecrets> {
  const token = parseServerToken(tokenText);
  if (!token) {
    throw new Error('--token: expected the server token K10<ca-hash>::server:<secret> from <data-dir>/token on an existing server (tokens from `skiff token create` join agents, not servers)');
  }
  // Loaded only when joining: the agent stack is large (see ARCHITECTURE.md, start-up).
  const { serverChainCA } = await import('../agent/index.js');
  const ca = await serverChainCA(server);
  const seen = caPublicKeyHash(ca);
  if (seen !== token.caHash) {
    throw new Error(`refusing to join ${server}: its CA's public key hash is ${seen} but the token pins ${token.caHash}; the server is not the cluster the token was made for (or the token was mistyped)`);
  }
  log(`join: server CA verified (${seen}); fetching the cluster secrets from ${server}`);
  const secrets = await getJSON<ClusterSecrets>(new URL(`${PREFIX}${PATH}`, server), ca, `Basic ${Buffer.from(`server:${token.secret}`).toString('base64')}`);
  if (caPublicKeyHash(secrets.caCert) !== token.caHash) throw new Error(`${server} sent a CA that does not match the token`);
  const f = files(dataDir);
  writeFileAtomic(f.caCert, secrets.caCert, 0o644);
  writeFileAtomic(f.caKey, secrets.caKey, 0o600);
  writeFileAtomic(f.serviceAccountKey, secrets.serviceAccountKey, 0o600);
  writeFileAtomic(f.encryptionConfig, secrets.encryptionConfig, 0o600);
  return secrets;
}

function getJSON<T>(url: URL, ca: string, authorization: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const req = request(url, { method: 'GET', ca, headers: { authorization }, timeout: 30_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        if (res.statusCode === 200) return resolve(JSON.parse(text) as T);
        const why = res.statusCode === 401 ? 'the server refused the token (401): use the token in <data-dir>/token of a server of this cluster' : `${res.statusCode}: ${text}`;
        reject(new Error(`fetching the cluster secrets from ${url.origin}: ${why}`));
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) => reject(new Error(`fetching the cluster secrets from ${url.origin}: ${err.message}`)));
    req.end();
  });
}
