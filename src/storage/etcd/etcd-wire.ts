// SPDX-License-Identifier: Apache-2.0
/**
 * The shapes of the etcd v3 messages Skiff sends and reads, as
 * @grpc/proto-loader decodes them from etcd-rpc.proto with the options in
 * etcd-client.ts (wire field names, 64-bit integers as decimal strings,
 * bytes as Buffers, enums by name, defaults filled in).
 */

/** Int64 is how a 64-bit integer arrives (a decimal string); numbers are accepted on the way out. */
export type Int64 = string;

export interface ResponseHeader {
  cluster_id: Int64;
  member_id: Int64;
  revision: Int64;
  raft_term: Int64;
}

export interface WireKeyValue {
  key: Buffer;
  create_revision: Int64;
  mod_revision: Int64;
  version: Int64;
  value: Buffer;
  lease: Int64;
}

export interface RangeRequest {
  key: Buffer;
  range_end?: Buffer;
  limit?: number;
  revision?: number;
  serializable?: boolean;
  keys_only?: boolean;
  count_only?: boolean;
}

export interface RangeResponse {
  header: ResponseHeader;
  kvs: WireKeyValue[];
  more: boolean;
  count: Int64;
}

export interface PutRequest {
  key: Buffer;
  value: Buffer;
  prev_kv?: boolean;
}

export interface PutResponse {
  header: ResponseHeader;
  prev_kv: WireKeyValue | null;
}

export interface DeleteRangeRequest {
  key: Buffer;
  range_end?: Buffer;
  prev_kv?: boolean;
}

export interface DeleteRangeResponse {
  header: ResponseHeader;
  deleted: Int64;
  prev_kvs: WireKeyValue[];
}

export type RequestOp = { request_range: RangeRequest } | { request_put: PutRequest } | { request_delete_range: DeleteRangeRequest };

export interface ResponseOp {
  response_range?: RangeResponse;
  response_put?: PutResponse;
  response_delete_range?: DeleteRangeResponse;
}

export interface Compare {
  result: 'EQUAL' | 'GREATER' | 'LESS' | 'NOT_EQUAL';
  target: 'VERSION' | 'CREATE' | 'MOD' | 'VALUE';
  key: Buffer;
  version?: number;
  create_revision?: number;
  mod_revision?: number;
}

export interface TxnRequest {
  compare: Compare[];
  success: RequestOp[];
  failure: RequestOp[];
}

export interface TxnResponse {
  header: ResponseHeader;
  succeeded: boolean;
  responses: ResponseOp[];
}

export interface WireEvent {
  type: 'PUT' | 'DELETE';
  kv: WireKeyValue;
  prev_kv: WireKeyValue | null;
}

export type WatchRequest =
  | { create_request: { key: Buffer; range_end?: Buffer; start_revision: number; progress_notify?: boolean; prev_kv?: boolean; watch_id?: number } }
  | { cancel_request: { watch_id: Int64 | number } }
  | { progress_request: Record<string, never> };

export interface WatchResponse {
  header: ResponseHeader;
  watch_id: Int64;
  created: boolean;
  canceled: boolean;
  compact_revision: Int64;
  cancel_reason: string;
  fragment: boolean;
  events: WireEvent[];
}

export interface Member {
  ID: Int64;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  isLearner: boolean;
}

export interface MemberAddResponse {
  header: ResponseHeader;
  member: Member;
  members: Member[];
}

export interface MemberListResponse {
  header: ResponseHeader;
  members: Member[];
}

export interface StatusResponse {
  header: ResponseHeader;
  version: string;
  dbSize: Int64;
  leader: Int64;
  raftTerm: Int64;
  errors: string[];
  isLearner: boolean;
}

export interface SnapshotResponse {
  header: ResponseHeader | null;
  remaining_bytes: Int64;
  blob: Buffer;
}
