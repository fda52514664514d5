// SPDX-License-Identifier: Apache-2.0
/**
 * Leader election against the real registry (in-process client over a
 * memory store) with short timings: one leader at a time, a holder that
 * cannot renew steps down before anyone else takes over, a clean stop hands
 * over at once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryStore } from '../storage/index.js';
import { APIRegistry } from '../apiserver/registry/api-registry.js';
import { newContext, SYSTEM_USER } from '../apiserver/registry/request-context.js';
import { InProcessClient } from '../apiserver/in-process-client.js';
import { R, type Client } from '../client/index.js';
import { waitFor } from '../../test/harness/wait-for.js';
import { LeaderElector } from './index.js';

const timing = { leaseDurationMs: 1_500, renewDeadlineMs: 1_000, retryPeriodMs: 200 };

/** flaky wraps a client so a test can cut it off from the API (a server that lost its datastore). */
function flaky(client: Client): { client: Client; cut: boolean } {
  const state = { cut: false, client: undefined as unknown as Client };
  state.client = new Proxy(client, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => (state.cut ? Promise.reject(new Error('connection refused')) : (v as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
  return state;
}

interface Term {
  who: string;
  start: number;
  end?: number;
}

test('one leader at a time; a holder that cannot renew stops before another takes over; a clean stop hands over', async () => {
  const api = new APIRegistry({ store: new MemoryStore(), serviceCIDR: '10.43.0.0/16', nodePortRange: { min: 30000, max: 32767 } });
  await api.start();
  await api.require('', 'v1', 'namespaces').create(newContext(SYSTEM_USER), { metadata: { name: 'kube-system' } });
  const base = new InProcessClient(api);
  const terms: Term[] = [];
  const candidate = (who: string) => {
    const conn = flaky(base);
    const stop = new AbortController();
    const elector = new LeaderElector({
      client: conn.client, namespace: 'kube-system', name: 'kube-scheduler', identity: who, ...timing,
      onStartedLeading: (signal) => {
        const term: Term = { who, start: Date.now() };
        terms.push(term);
        signal.addEventListener('abort', () => (term.end = Date.now()), { once: true });
      },
    });
    const running = elector.run(stop.signal);
    return { conn, elector, stop: async () => { stop.abort(); await running; } };
  };
  const a = candidate('a');
  await waitFor('a to lead', () => a.elector.isLeader, 10_000, 20);
  const b = candidate('b');
  await new Promise((r) => setTimeout(r, 2 * timing.leaseDurationMs));
  assert.ok(a.elector.isLeader && !b.elector.isLeader, 'b stands by while a renews');
  assert.equal(b.elector.leader, 'a');

  a.conn.cut = true;
  await waitFor('b to take over', () => b.elector.isLeader, 10_000, 20);
  assert.equal(a.elector.isLeader, false);
  const [termA, termB] = terms;
  assert.equal(termA!.who, 'a');
  assert.equal(termB!.who, 'b');
  assert.ok(termA!.end! <= termB!.start, `a stopped (${termA!.end}) before b started (${termB!.start})`);
  const lease = await base.get<{ spec: { holderIdentity: string; leaseTransitions: number; leaseDurationSeconds: number } } & import('../api/index.js').KubeObject>(R.leases, 'kube-scheduler', { namespace: 'kube-system' });
  assert.equal(lease.spec.holderIdentity, 'b');
  assert.equal(lease.spec.leaseTransitions, 1);

  await b.stop(); // releases the lease: no holder, 1 s, so a successor need not wait for it to expire
  const released = await base.get<typeof lease>(R.leases, 'kube-scheduler', { namespace: 'kube-system' });
  assert.equal(released.spec.holderIdentity, '');
  assert.equal(released.spec.leaseDurationSeconds, 1);
  a.conn.cut = false;
  await waitFor('a to lead again', () => a.elector.isLeader, 10_000, 20);
  assert.equal(terms.filter((t) => t.end === undefined).length, 1, 'exactly one term is open');
  await a.stop();
  assert.equal(terms.every((t) => t.end !== undefined), true);
});
