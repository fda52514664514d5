// SPDX-License-Identifier: Apache-2.0
/**
 * Calling a webhook, as upstream's webhook ClientManager and rest client do:
 * a POST of JSON over HTTPS to the clientConfig's URL, or to a Service
 * (`https://<name>.<namespace>.svc:<port><path>`, dialled at one of the
 * service's ready endpoints, the certificate checked for that name), trusting
 * the caBundle (or the system roots without one), with `?timeout=Ns` telling
 * the backend its deadline. Failures read as Go's net/http and crypto/tls
 * word them (`Post "<url>": context deadline exceeded`, `dial tcp ...:
 * connect: connection refused`, `tls: failed to verify certificate: x509:
 * certificate signed by unknown authority`), and an answer that is not 2xx
 * becomes the Status the backend sent or client-go's generic one.
 */
import { request } from 'node:https';
import type { WebhookClientConfig } from 'kubernetes-types/admissionregistration/v1.js';
import { StatusError, newInternalError, newServiceUnavailable } from '../../../machinery/index.js';

/** ServiceResolver finds an address serving a Service's port (a ready endpoint), or throws why not. */
export type ServiceResolver = (namespace: string, name: string, port: number) => Promise<{ host: string; port: number }>;

/** CallError is upstream's ErrCallingWebhook reason: why the call itself failed, and the Status it maps to. */
export class CallError extends Error {
  constructor(
    message: string,
    readonly status: StatusError,
  ) {
    super(message);
  }
}

/** MAX_RESPONSE_BYTES bounds a webhook's answer (upstream reads at most a few MiB). */
const MAX_RESPONSE_BYTES = 3 * 1024 * 1024;

interface Target {
  /** shown is the URL as Go prints it in errors. */
  shown: string;
  host: string;
  port: number;
  path: string;
  servername: string;
}

async function targetOf(cc: WebhookClientConfig, timeoutSeconds: number, resolve: ServiceResolver): Promise<Target> {
  const q = `?timeout=${timeoutSeconds}s`;
  if (cc.url) {
    const u = new URL(cc.url);
    const port = u.port ? Number(u.port) : 443;
    const host = u.hostname.replace(/^\[|\]$/g, '');
    return { shown: `${cc.url}${q}`, host, port, path: `${u.pathname}${q}`, servername: host };
  }
  const s = cc.service!;
  const port = s.port ?? 443;
  const servername = `${s.name}.${s.namespace}.svc`;
  const path = `${s.path || '/'}${q}`;
  const shown = `https://${servername}:${port}${path}`;
  try {
    const ep = await resolve(s.namespace, s.name, port);
    return { shown, host: ep.host, port: ep.port, path, servername };
  } catch (err) {
    throw new CallError(`Post "${shown}": ${(err as Error).message}`, err instanceof StatusError ? err : newServiceUnavailable('error calling webhook'));
  }
}

/** goNetError words a Node socket or TLS error as Go's net/http would. */
function goNetError(err: NodeJS.ErrnoException & { cert?: { subjectaltname?: string } }, t: Target): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}: connect: connection refused`;
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
    case 'CERT_HAS_EXPIRED':
      return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
    case 'ERR_TLS_CERT_ALTNAME_INVALID': {
      const names = (err.cert?.subjectaltname ?? '').split(', ').map((n) => n.replace(/^(DNS|IP Address):/, '')).filter(Boolean);
      return `tls: failed to verify certificate: x509: certificate is valid for ${names.join(', ')}, not ${t.servername}`;
    }
    case 'ECONNRESET':
      return 'EOF';
    default:
      return err.message;
  }
}

/** statusOfAnswer turns a non-2xx answer into the StatusError client-go would (the body's Status, or a generic one). */
function statusOfAnswer(code: number, body: string): StatusError {
  try {
    const s = JSON.parse(body) as { kind?: string; message?: string; reason?: string; code?: number };
    if (s && s.kind === 'Status') return new StatusError(s.code || code, (s.reason ?? '') as never, s.message ?? '');
  } catch {
    // not a Status: fall through to the generic answer
  }
  const text = body.trim();
  if (code >= 500) return new StatusError(code, 'InternalError', `an error on the server (${JSON.stringify(text || 'unknown')}) has prevented the request from succeeding`);
  return new StatusError(code, '', `the server responded with the status code ${code} but did not return more information`);
}

/**
 * postJSON sends body to the webhook and returns its decoded JSON answer;
 * failures throw CallError with Go's wording.
 */
export async function postJSON(cc: WebhookClientConfig, body: unknown, timeoutSeconds: number, resolve: ServiceResolver, parent?: AbortSignal): Promise<unknown> {
  const t = await targetOf(cc, timeoutSeconds, resolve);
  const payload = Buffer.from(JSON.stringify(body));
  const ca = cc.caBundle ? Buffer.from(cc.caBundle, 'base64').toString('utf8') : undefined;
  const fail = (reason: string, status: StatusError): CallError => new CallError(`Post "${t.shown}": ${reason}`, status);
  return new Promise<unknown>((resolvePromise, reject) => {
    let settled = false;
    const finish = (f: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      parent?.removeEventListener('abort', onAbort);
      f();
    };
    const req = request({
      host: t.host,
      port: t.port,
      path: t.path,
      method: 'POST',
      servername: /^[\d.]+$|:/.test(t.servername) ? undefined : t.servername,
      ca,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, */*', 'Content-Length': payload.length },
      agent: false,
    });
    // The deadline covers connecting, TLS, sending and the whole answer (Go's context deadline).
    const timer = setTimeout(() => {
      finish(() => reject(fail('context deadline exceeded', newServiceUnavailable('error calling webhook'))));
      req.destroy();
    }, timeoutSeconds * 1000);
    const onAbort = (): void => {
      finish(() => reject(fail('context canceled', newServiceUnavailable('error calling webhook'))));
      req.destroy();
    };
    parent?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => finish(() => reject(fail(goNetError(err, t), newServiceUnavailable('error calling webhook')))));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_RESPONSE_BYTES) {
          finish(() => reject(fail('response body too large', newServiceUnavailable('error calling webhook'))));
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      res.on('error', (err) => finish(() => reject(fail(goNetError(err, t), newServiceUnavailable('error calling webhook')))));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const code = res.statusCode ?? 0;
        if (code < 200 || code > 299) {
          const status = statusOfAnswer(code, text);
          return finish(() => reject(new CallError(status.message, status)));
        }
        try {
          const decoded: unknown = JSON.parse(text);
          finish(() => resolvePromise(decoded));
        } catch (err) {
          finish(() => reject(new CallError(`couldn't get version/kind; json parse error: ${(err as Error).message}`, newInternalError(err))));
        }
      });
    });
    req.end(payload);
  });
}
