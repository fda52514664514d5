// SPDX-License-Identifier: Apache-2.0
// CriClient against an in-process gRPC server built from the same runtime.proto:
// checks the loader options (snake_case, int64 as strings, enums by name) and the
// single translation of gRPC status into CriError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { CriClient, runtimeProtoPath } from './cri-client.js';
import { CriError, grpcCodeName, isCriNotFound } from './errors.js';

type Handler = (call: { request: Record<string, unknown> }, cb: grpc.sendUnaryData<unknown>) => void;

async function startServer(handlers: Record<string, Handler>): Promise<{ socket: string; stop: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'cri-client-test-'));
  const socket = join(dir, 'cri.sock');
  const def = protoLoader.loadSync(runtimeProtoPath(), { keepCase: true, longs: String, enums: String, defaults: true });
  const v1 = (grpc.loadPackageDefinition(def).runtime as grpc.GrpcObject).v1 as grpc.GrpcObject;
  const server = new grpc.Server();
  const svc = (v1.RuntimeService as grpc.ServiceClientConstructor).service;
  server.addService(svc, handlers as unknown as grpc.UntypedServiceImplementation);
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix://${socket}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())),
  );
  return { socket, stop: () => { server.forceShutdown(); rmSync(dir, { recursive: true, force: true }); } };
}

test('CriClient decodes snake_case fields, int64 as strings and enums by name', async () => {
  const srv = await startServer({
    Version: (call, cb) => cb(null, { version: call.request.version, runtime_name: 'testrt', runtime_api_version: 'v1' }),
    ContainerStatus: (call, cb) =>
      cb(null, {
        status: {
          id: call.request.container_id, state: 'CONTAINER_RUNNING', started_at: '1700000000123456789',
          resources: { linux: { memory_limit_in_bytes: 67108864 } },
        },
      }),
  });
  const client = await CriClient.connect(srv.socket);
  try {
    const v = await client.version();
    assert.equal(v.version, 'v1');
    assert.equal(v.runtime_name, 'testrt');
    assert.equal(v.runtime_version, '', 'defaults:true fills unset strings');
    const st = await client.containerStatus({ container_id: 'abc' });
    assert.equal(st.status?.state, 'CONTAINER_RUNNING');
    assert.equal(st.status?.started_at, '1700000000123456789', 'int64 keeps full precision as a string');
    assert.equal(st.status?.resources?.linux?.memory_limit_in_bytes, '67108864');
    assert.equal(st.status?.metadata, null, 'unset message fields are null');
  } finally {
    client.close();
    srv.stop();
  }
});

test('CriClient translates gRPC status into CriError once', async () => {
  const srv = await startServer({
    StopContainer: (_call, cb) => cb({ code: grpc.status.NOT_FOUND, details: 'container "x" not found' }),
  });
  const client = await CriClient.connect(srv.socket);
  try {
    await assert.rejects(client.stopContainer({ container_id: 'x', timeout: 1 }), (err: unknown) => {
      assert.ok(err instanceof CriError);
      assert.equal(err.code, 'NotFound');
      assert.equal(err.method, 'StopContainer');
      assert.equal(err.detail, 'container "x" not found');
      assert.ok(isCriNotFound(err));
      return true;
    });
    // An RPC the server does not implement comes back as Unimplemented.
    await assert.rejects(client.startContainer({ container_id: 'x' }), (err: unknown) => {
      assert.ok(err instanceof CriError && err.code === 'Unimplemented');
      return true;
    });
  } finally {
    client.close();
    srv.stop();
  }
});

test('CriClient.connect fails with Unavailable when nothing listens', async () => {
  await assert.rejects(CriClient.connect('/nonexistent/skiff-cri.sock', { readyTimeoutMs: 300 }), (err: unknown) => {
    assert.ok(err instanceof CriError && err.code === 'Unavailable');
    return true;
  });
});

test('grpcCodeName maps every gRPC status number', () => {
  assert.equal(grpcCodeName(grpc.status.UNAVAILABLE), 'Unavailable');
  assert.equal(grpcCodeName(grpc.status.DEADLINE_EXCEEDED), 'DeadlineExceeded');
  assert.equal(grpcCodeName(grpc.status.UNAUTHENTICATED), 'Unauthenticated');
  assert.equal(grpcCodeName(99), 'Unknown');
});
