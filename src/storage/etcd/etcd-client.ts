// SPDX-License-Identifier: Apache-2.0
/**
 * EtcdClient speaks etcd's v3 gRPC API (etcd-rpc.proto) with @grpc/grpc-js to
 * a list of members, the way etcd's clientv3 balancer does: one channel per
 * endpoint, calls go to the active one, and an endpoint that cannot be
 * reached hands over to the next. Every call has a deadline, so an
 * unreachable or quorum-less cluster fails in bounded time instead of
 * hanging; grpc-js reconnects by itself, so service resumes when etcd does.
 *
 * Retries follow clientv3's policy: reads (Range, Status, MemberList) retry
 * on another member until the deadline; writes retry only when the request
 * provably never left this process (no connection was established), since
 * a write that reached a member may still be applied.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type * as grpc from '@grpc/grpc-js';
import type * as ProtoLoader from '@grpc/proto-loader';
import { StoreClosedError, StoreUnavailableError } from '../errors.js';
import type { MemberAddResponse, MemberListResponse, RangeRequest, RangeResponse, SnapshotResponse, StatusResponse, TxnRequest, TxnResponse, WatchRequest, WatchResponse } from './etcd-wire.js';

/** EtcdTLS is the client TLS material for https:// endpoints (PEM); absent fields use the system's defaults. */
export interface EtcdTLS {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

export interface EtcdClientOptions {
  /** Member client URLs: http://host:port or https://host:port. */
  endpoints: string[];
  tls?: EtcdTLS;
  /** Deadline of one request, retries included (default 10 s). */
  requestTimeoutMs?: number;
}

/** WatchStream is one bidirectional Watch call and the endpoint it runs on. */
export interface WatchStream {
  call: grpc.ClientDuplexStream<WatchRequest, WatchResponse>;
  endpoint: string;
}

type ServiceName = 'KV' | 'Watch' | 'Cluster' | 'Maintenance';
type Retry = 'always' | 'unsent';
// A unary method of a client made by loadPackageDefinition; messages are typed by etcd-wire.ts.
type UnaryMethod = (req: object, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, res?: unknown) => void) => grpc.ClientUnaryCall;

// Wire names, 64-bit integers as strings (member ids use all 64 bits), enums by name, defaults filled in.
const LOADER_OPTIONS: ProtoLoader.Options = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** etcd's default request size limit is 1.5 MiB; replies (lists) may be much larger. */
const MAX_RECEIVE_BYTES = 256 * 1024 * 1024;

/** etcdProtoPath finds etcd-rpc.proto beside this module or, from dist/, in the source tree (tsc copies no .proto). */
function etcdProtoPath(): string {
  const candidates = [new URL('./etcd-rpc.proto', import.meta.url), new URL('../../../../src/storage/etcd/etcd-rpc.proto', import.meta.url)].map((u) => fileURLToPath(u));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`etcd-rpc.proto not found; looked in ${candidates.join(', ')}`);
  return found;
}

/**
 * grpc-js and its protobuf loader are required on first use: a server on the
 * embedded SQLite store never talks to etcd, and loading them would cost it
 * several megabytes of resident memory for nothing (both are CommonJS).
 */
const requireLazily = createRequire(import.meta.url);
let grpcModule: typeof grpc | undefined;
function grpcJs(): typeof grpc {
  return (grpcModule ??= requireLazily('@grpc/grpc-js') as typeof grpc);
}
function protoLoader(): typeof ProtoLoader {
  return requireLazily('@grpc/proto-loader') as typeof ProtoLoader;
}

let cachedPackage: grpc.GrpcObject | undefined;
function etcdPackage(): grpc.GrpcObject {
  cachedPackage ??= grpcJs().loadPackageDefinition(protoLoader().loadSync(etcdProtoPath(), LOADER_OPTIONS)).etcdserverpb as grpc.GrpcObject;
  return cachedPackage;
}

/** Endpoint is one member's channel and the service clients that share it. */
class Endpoint {
  readonly channel: grpc.Channel;
  readonly clients: Record<ServiceName, grpc.Client>;

  constructor(readonly url: string, tls: EtcdTLS | undefined) {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`etcd endpoint ${JSON.stringify(url)}: use http://HOST:PORT or https://HOST:PORT`);
    const creds = u.protocol === 'https:' ? grpcJs().credentials.createSsl(tls?.ca ?? null, tls?.key ?? null, tls?.cert ?? null) : grpcJs().credentials.createInsecure();
    const options: grpc.ChannelOptions = {
      'grpc.max_receive_message_length': MAX_RECEIVE_BYTES,
      // A member that comes back is found again within a second.
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1000,
      // Pings notice a member whose machine died without closing the connection
      // (etcd's server accepts pings every 5 s and more, its default minimum).
      'grpc.keepalive_time_ms': 10_000,
      'grpc.keepalive_timeout_ms': 5_000,
      'grpc.keepalive_permit_without_calls': 1,
    };
    // etcd's client port is the default when the URL names none.
    const target = u.port ? u.host : `${u.host}:2379`;
    this.channel = new (grpcJs().Channel)(target, creds, options);
    const pkg = etcdPackage();
    const make = (name: ServiceName) => new (pkg[name] as grpc.ServiceClientConstructor)(target, creds, { channelOverride: this.channel });
    this.clients = { KV: make('KV'), Watch: make('Watch'), Cluster: make('Cluster'), Maintenance: make('Maintenance') };
  }

  close(): void {
    for (const c of Object.values(this.clients)) c.close();
    this.channel.close();
  }
}

/** EtcdClient is a small etcd v3 client over a list of endpoints. */
export class EtcdClient {
  readonly #endpoints: Endpoint[];
  readonly #timeoutMs: number;
  #active = 0;
  #closed = false;

  constructor(opts: EtcdClientOptions) {
    if (opts.endpoints.length === 0) throw new Error('etcd: no endpoints given');
    this.#endpoints = opts.endpoints.map((url) => new Endpoint(url, opts.tls));
    this.#timeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  get endpoints(): string[] {
    return this.#endpoints.map((e) => e.url);
  }

  get requestTimeoutMs(): number {
    return this.#timeoutMs;
  }

  range(req: RangeRequest, timeoutMs?: number): Promise<RangeResponse> {
    return this.#unary('KV', 'Range', req, 'always', timeoutMs);
  }

  txn(req: TxnRequest): Promise<TxnResponse> {
    // A transaction whose compares all read (no put or delete) could be retried,
    // but every Txn this backend sends writes.
    return this.#unary('KV', 'Txn', req, 'unsent');
  }

  compact(revision: number): Promise<unknown> {
    return this.#unary('KV', 'Compact', { revision, physical: false }, 'unsent');
  }

  status(): Promise<StatusResponse> {
    return this.#unary('Maintenance', 'Status', {}, 'always');
  }

  memberList(): Promise<MemberListResponse> {
    return this.#unary('Cluster', 'MemberList', {}, 'always');
  }

  memberAdd(peerURLs: string[]): Promise<MemberAddResponse> {
    return this.#unary('Cluster', 'MemberAdd', { peerURLs, isLearner: false }, 'unsent');
  }

  memberRemove(id: string): Promise<unknown> {
    return this.#unary('Cluster', 'MemberRemove', { ID: id }, 'unsent');
  }

  /** snapshot streams the active member's backend database (for `etcdctl snapshot restore`-compatible files). */
  async *snapshot(): AsyncGenerator<Buffer> {
    const ep = this.#current();
    const call = (ep.clients.Maintenance as unknown as { Snapshot(req: object): grpc.ClientReadableStream<SnapshotResponse> }).Snapshot({});
    try {
      for await (const chunk of call as AsyncIterable<SnapshotResponse>) yield chunk.blob;
    } catch (err) {
      throw this.#unavailable(ep, err as grpc.ServiceError);
    }
  }

  /** openWatch starts a Watch stream on the active endpoint; the caller reports a failed stream with `failed`. */
  openWatch(): WatchStream {
    const ep = this.#current();
    const call = (ep.clients.Watch as unknown as { Watch(): grpc.ClientDuplexStream<WatchRequest, WatchResponse> }).Watch();
    return { call, endpoint: ep.url };
  }

  /** failed moves calls off an endpoint that just failed (a broken watch stream, say). */
  failed(endpoint: string): void {
    const ep = this.#endpoints[this.#active];
    if (ep?.url === endpoint) this.#active = (this.#active + 1) % this.#endpoints.length;
  }

  /** describe turns a failure into the StoreUnavailableError callers see (or passes other errors through). */
  describe(endpoint: string, err: unknown): unknown {
    const ep = this.#endpoints.find((e) => e.url === endpoint);
    return ep && isAvailabilityError(err) ? this.#unavailable(ep, err as grpc.ServiceError) : err;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const e of this.#endpoints) e.close();
  }

  get closed(): boolean {
    return this.#closed;
  }

  #current(): Endpoint {
    if (this.#closed) throw new StoreClosedError();
    return this.#endpoints[this.#active]!;
  }

  async #unary<Res>(service: ServiceName, method: string, req: object, retry: Retry, timeoutMs = this.#timeoutMs): Promise<Res> {
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      const ep = this.#current();
      try {
        return await callOnce<Res>(ep.clients[service], method, req, deadline);
      } catch (err) {
        if (this.#closed) throw new StoreClosedError();
        if (!isAvailabilityError(err)) throw err;
        this.failed(ep.url);
        const pause = Math.min(50 * 2 ** attempt, 500);
        const retryable = retry === 'always' || neverSent(err as grpc.ServiceError);
        if (!retryable || Date.now() + pause >= deadline) throw this.#unavailable(ep, err as grpc.ServiceError, timeoutMs);
        await new Promise((r) => setTimeout(r, pause));
      }
    }
  }

  #unavailable(ep: Endpoint, err: grpc.ServiceError, timeoutMs = this.#timeoutMs): StoreUnavailableError {
    const all = this.#endpoints.length > 1 ? ` (endpoints: ${this.endpoints.join(', ')})` : '';
    // grpc-js appends an empty "Resolution note:" to connection failures; it says nothing here.
    const quorum = ' (etcd serves only while a majority of its members are up)';
    const details = (err.details || err.message).replace(/\.?\s*Resolution note:\s*$/, '');
    // etcd's own "request timed out"/"no leader" can answer before our deadline on a slow machine: the same cause, so the same hint.
    const why = err.code === grpcJs().status.DEADLINE_EXCEEDED || /context deadline exceeded/.test(err.details ?? '') ? `no answer within ${timeoutMs / 1000}s${quorum}`
      : /etcdserver: (request timed out|no leader)/.test(details) ? `${details}${quorum}` : details;
    return new StoreUnavailableError(`etcd at ${ep.url} is unavailable: ${why}${all}`, { cause: err });
  }
}

function callOnce<Res>(client: grpc.Client, method: string, req: object, deadline: number): Promise<Res> {
  const fn = (client as unknown as Record<string, UnaryMethod>)[method]!;
  return new Promise<Res>((resolve, reject) => {
    fn.call(client, req, { deadline }, (err, res) => (err ? reject(err) : resolve(res as Res)));
  });
}

/**
 * isAvailabilityError says a call failed because the cluster could not serve
 * it (unreachable member, no leader, timeout), not because of the request:
 * etcd reports lost quorum and leader changes as Unavailable, as clientv3's
 * retry policy reads them, but a deadline that expires inside the member
 * comes back as Unknown "context deadline exceeded".
 */
export function isAvailabilityError(err: unknown): boolean {
  const e = err as grpc.ServiceError | undefined;
  if (e?.code === grpcJs().status.UNAVAILABLE || e?.code === grpcJs().status.DEADLINE_EXCEEDED) return true;
  return AVAILABILITY_MESSAGES.test(e?.details ?? '');
}

const AVAILABILITY_MESSAGES = /context deadline exceeded|etcdserver: (request timed out|no leader|leader changed|too many requests)|Connection dropped/;

/** neverSent says grpc-js failed the call before it reached any member (no connection was ready). */
function neverSent(err: grpc.ServiceError): boolean {
  return err.code === grpcJs().status.UNAVAILABLE && /No connection established|ECONNREFUSED|failed to connect/i.test(err.details ?? '');
}
