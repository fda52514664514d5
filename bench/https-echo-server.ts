// SPDX-License-Identifier: Apache-2.0
/**
 * The transport floor of the API server benchmark, run as its own process
 * as the server under test is: Node's HTTPS server with the API server's
 * TLS settings (its serving certificate and chain, client certificates
 * requested and verified against the cluster CA, the same keep-alive), which
 * reads each request body in full and answers with the bytes of a real API
 * answer, headers as the API server writes them. What is left between this
 * and the API server is the API server's own work.
 *
 * Usage: node https-echo-server.js TLS_DIR BODY_FILE; prints `{"port":N}`.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { join } from 'node:path';

const [tlsDir, bodyFile] = process.argv.slice(2);
const ca = readFileSync(join(tlsDir!, 'ca.crt'), 'utf8');
const body = readFileSync(bodyFile!, 'utf8');
const server = createServer(
  {
    key: readFileSync(join(tlsDir!, 'serving.key'), 'utf8'),
    cert: `${readFileSync(join(tlsDir!, 'serving.crt'), 'utf8').trimEnd()}\n${ca}`,
    ca,
    requestCert: true,
    rejectUnauthorized: false,
    keepAliveTimeout: 95_000,
    headersTimeout: 32_000,
    requestTimeout: 60_000,
  },
  (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // The API server answers a POST with 201 Created, anything else 200.
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-cache, private' });
      res.end(body);
    });
  },
);
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as { port: number }).port })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
