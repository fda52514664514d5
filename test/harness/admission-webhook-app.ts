// SPDX-License-Identifier: Apache-2.0
/**
 * A real admission webhook server for tests: a CommonJS script (run with
 * `node -e` on the host, or as /app/main.js in a pod built with nodeAppImage)
 * serving HTTPS with the given certificate. Paths:
 * - /mutate: adds label `webhook.skiff.dev/mutated: "true"` with a JSON patch,
 *   a warning and an audit annotation (answers in the review's own version);
 * - /append-a, /append-b: append `a`/`b` to annotation `order` (append-a
 *   only once), for reinvocation;
 * - /validate: refuses objects labelled `bad: "true"` (403 with a message) and
 *   cert-manager style Certificates without spec.dnsNames;
 * - /slow: answers after 5 s (timeouts); /garbage: answers non-JSON;
 *   /wrong-uid: answers with another uid;
 * - /convert: a ConversionReview v1 server for `stable.example.com` Widgets,
 *   `v1` spec.size (string) <-> `v2` spec.sizeBytes (number);
 * - GET /reviews: every review received so far, as JSON.
 */

/** webhookAppScript returns the server's source; it listens on `port` on every address. */
export function webhookAppScript(cert: string, key: string, port: number, host = "0.0.0.0"): string {
  return `
const https = require('node:https');
const reviews = [];
const label = 'webhook.skiff.dev/mutated';
const patchOf = (ops) => Buffer.from(JSON.stringify(ops)).toString('base64');
function admit(path, review) {
  const req = review.request;
  const obj = req.object || {};
  const base = { uid: req.uid };
  if (path === '/mutate') {
    const labels = (obj.metadata && obj.metadata.labels) || null;
    const ops = labels ? [{ op: 'add', path: '/metadata/labels/' + label.replace('/', '~1'), value: 'true' }]
                       : [{ op: 'add', path: '/metadata/labels', value: { [label]: 'true' } }];
    return { ...base, allowed: true, patchType: 'JSONPatch', patch: patchOf(ops), warnings: ['mutated by the test webhook'], auditAnnotations: { seen: 'yes' } };
  }
  if (path === '/append-a' || path === '/append-b') {
    const ann = (obj.metadata && obj.metadata.annotations) || {};
    const order = (ann.order || '') + path.slice(-1);
    const ops = obj.metadata.annotations ? [{ op: 'add', path: '/metadata/annotations/order', value: order }]
                                         : [{ op: 'add', path: '/metadata/annotations', value: { order } }];
    // append-a only changes the object once; append-b every time it is called.
    if (path === '/append-a' && (ann.order || '').includes('a')) return { ...base, allowed: true };
    return { ...base, allowed: true, patchType: 'JSONPatch', patch: patchOf(ops) };
  }
  if (path === '/validate') {
    const labels = (obj.metadata && obj.metadata.labels) || {};
    if (labels.bad === 'true') return { ...base, allowed: false, status: { code: 403, reason: 'Forbidden', message: 'objects labelled bad=true are not allowed' } };
    if (req.kind.kind === 'Certificate' && !(obj.spec && Array.isArray(obj.spec.dnsNames) && obj.spec.dnsNames.length)) {
      return { ...base, allowed: false, status: { message: 'spec.dnsNames: at least one DNS name is required' } };
    }
    return { ...base, allowed: true, warnings: ['validated by the test webhook'] };
  }
  if (path === '/wrong-uid') return { uid: 'not-' + req.uid, allowed: true };
  return { ...base, allowed: true };
}
function convert(review) {
  const req = review.request;
  const out = req.objects.map((o) => {
    const c = JSON.parse(JSON.stringify(o));
    c.apiVersion = req.desiredAPIVersion;
    const spec = c.spec || {};
    if (req.desiredAPIVersion.endsWith('/v2') && spec.size !== undefined) { spec.sizeBytes = Number(spec.size); delete spec.size; }
    if (req.desiredAPIVersion.endsWith('/v1') && spec.sizeBytes !== undefined) { spec.size = String(spec.sizeBytes); delete spec.sizeBytes; }
    return c;
  });
  if (req.objects.some((o) => o.spec && o.spec.size === 'fail')) return { uid: req.uid, result: { status: 'Failure', message: 'size fail cannot be converted' } };
  return { uid: req.uid, convertedObjects: out, result: { status: 'Success' } };
}
https.createServer({ cert: ${JSON.stringify(cert)}, key: ${JSON.stringify(key)} }, (req, res) => {
  const url = new URL(req.url, 'https://x');
  if (req.method === 'GET' && url.pathname === '/reviews') { res.setHeader('Content-Type', 'application/json'); return res.end(JSON.stringify(reviews)); }
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    let review;
    try { review = JSON.parse(body); } catch { res.statusCode = 400; return res.end('bad json'); }
    reviews.push({ path: url.pathname, query: url.search, review });
    const send = (o) => { res.setHeader('Content-Type', 'application/json'); res.end(JSON.stringify(o)); };
    if (url.pathname === '/garbage') return res.end('this is not json');
    if (url.pathname === '/slow') return setTimeout(() => send({ apiVersion: review.apiVersion, kind: review.kind, response: { uid: review.request.uid, allowed: true } }), 5000);
    if (url.pathname === '/convert') return send({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', response: convert(review) });
    send({ apiVersion: review.apiVersion, kind: 'AdmissionReview', response: admit(url.pathname, review) });
  });
}).listen(${port}, ${JSON.stringify(host)});
`;
}
