// SPDX-License-Identifier: Apache-2.0
/**
 * Where a server's own etcd member lives and how it is reached, as k3s's
 * embedded etcd lays it out: the member's data under `<data-dir>/db/etcd`,
 * its certificates under `<data-dir>/tls/etcd` (signed by the cluster CA:
 * one serving certificate used for clients and peers, one client
 * certificate for the API server), clients on loopback and the node's
 * address (port 2379), peers on the node's address (port 2380).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueCertificate, type PemPair } from '../pki/index.js';

export const DEFAULT_CLIENT_PORT = 2379;
export const DEFAULT_PEER_PORT = 2380;

/** MemberIdentity is what a member keeps across restarts (`<data-dir>/db/etcd-member.json`). */
export interface MemberIdentity {
  /** name is the etcd member name: the node name and a random suffix, as k3s's `<hostname>-<8 hex>`. */
  name: string;
  /** nodeIP is the address peers and other servers reach this member at. */
  nodeIP: string;
  clientPort: number;
  peerPort: number;
}

/** MemberLayout is every path and URL of one managed member. */
export interface MemberLayout extends MemberIdentity {
  dataDir: string;
  /** etcdDataDir is etcd's --data-dir. */
  etcdDataDir: string;
  tlsDir: string;
  peerURL: string;
  /** clientURL is the member's address for other servers; localClientURL the loopback one this server uses. */
  clientURL: string;
  localClientURL: string;
  files: { ca: string; serverCert: string; serverKey: string; clientCert: string; clientKey: string };
}

const identityPath = (dataDir: string) => join(dataDir, 'db', 'etcd-member.json');

/** etcdDataDirOf is where a server keeps its member's data; its presence means the server runs its own etcd. */
export function etcdDataDirOf(dataDir: string): string {
  return join(dataDir, 'db', 'etcd');
}

/** hasManagedEtcd says the data dir already holds an etcd member (so a restart needs no --cluster-init or --server). */
export function hasManagedEtcd(dataDir: string): boolean {
  return existsSync(identityPath(dataDir));
}

const url = (host: string, port: number) => `https://${host.includes(':') ? `[${host}]` : host}:${port}`;

/** layoutOf derives paths and URLs from a member's identity. */
export function layoutOf(dataDir: string, id: MemberIdentity): MemberLayout {
  const tlsDir = join(dataDir, 'tls', 'etcd');
  return {
    ...id,
    dataDir,
    etcdDataDir: etcdDataDirOf(dataDir),
    tlsDir,
    peerURL: url(id.nodeIP, id.peerPort),
    clientURL: url(id.nodeIP, id.clientPort),
    localClientURL: url('127.0.0.1', id.clientPort),
    files: {
      ca: join(tlsDir, 'ca.crt'),
      serverCert: join(tlsDir, 'server.crt'),
      serverKey: join(tlsDir, 'server.key'),
      clientCert: join(tlsDir, 'client.crt'),
      clientKey: join(tlsDir, 'client.key'),
    },
  };
}

/**
 * loadOrCreateMember reads the member's identity, or makes one for this
 * node. A stored identity keeps its name; a changed node address is taken
 * (etcd itself refuses a peer URL that no longer matches its membership,
 * and says so in its log).
 */
export function loadOrCreateMember(dataDir: string, o: { nodeName: string; nodeIP: string; clientPort?: number; peerPort?: number }): MemberLayout {
  const path = identityPath(dataDir);
  let id: MemberIdentity;
  if (existsSync(path)) {
    id = JSON.parse(readFileSync(path, 'utf8')) as MemberIdentity;
  } else {
    id = {
      name: `${o.nodeName}-${randomBytes(4).toString('hex')}`,
      nodeIP: o.nodeIP,
      clientPort: o.clientPort ?? DEFAULT_CLIENT_PORT,
      peerPort: o.peerPort ?? DEFAULT_PEER_PORT,
    };
    mkdirSync(join(dataDir, 'db'), { recursive: true, mode: 0o700 });
    writeFileSync(path, `${JSON.stringify(id, null, 2)}\n`, { mode: 0o600 });
  }
  return layoutOf(dataDir, id);
}

/**
 * ensureMemberCertificates writes the member's certificates from the cluster
 * CA when missing. The serving certificate is also a client one: etcd
 * presents it when it dials its peers (peer client-cert auth).
 */
export async function ensureMemberCertificates(m: MemberLayout, ca: PemPair): Promise<void> {
  mkdirSync(m.tlsDir, { recursive: true, mode: 0o700 });
  const write = (path: string, text: string, mode: number) => writeFileSync(path, text, { mode });
  if (!existsSync(m.files.ca) || readFileSync(m.files.ca, 'utf8') !== ca.cert) write(m.files.ca, ca.cert, 0o644);
  if (!existsSync(m.files.serverCert) || !existsSync(m.files.serverKey)) {
    const pair = await issueCertificate(ca, { subject: `CN=etcd-${m.name}`, server: true, client: true, sans: ['localhost', '127.0.0.1', m.nodeIP] });
    write(m.files.serverKey, pair.key, 0o600);
    write(m.files.serverCert, pair.cert, 0o644);
  }
  if (!existsSync(m.files.clientCert) || !existsSync(m.files.clientKey)) {
    const pair = await issueCertificate(ca, { subject: 'CN=kube-apiserver-etcd-client', client: true });
    write(m.files.clientKey, pair.key, 0o600);
    write(m.files.clientCert, pair.cert, 0o644);
  }
}

/** clientTLS is the material a client of the member presents (the API server's etcd client certificate). */
export function clientTLS(m: MemberLayout): { ca: Buffer; cert: Buffer; key: Buffer } {
  return { ca: readFileSync(m.files.ca), cert: readFileSync(m.files.clientCert), key: readFileSync(m.files.clientKey) };
}
