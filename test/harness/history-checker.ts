// SPDX-License-Identifier: Apache-2.0
/**
 * A small linearizability-style checker for crash tests, in the spirit of
 * etcd's robustness tests (porcupine over a key-value model), specialised
 * to per-key registers whose every write is observed by a watch:
 *
 * - The watch gives the store's total order of applied writes (its
 *   resourceVersions, which must be unique and strictly increasing, with no
 *   duplicate across reconnects).
 * - Every acknowledged write appears in that order at the resourceVersion it
 *   was acknowledged with and with its content; every write that definitely
 *   failed (a 4xx answer) never appears; a write whose answer was lost to the
 *   crash may or may not appear.
 * - Real time is respected: if write A was acknowledged before write B was
 *   sent, A is ordered before B.
 * - The final state of each key is the last write of the order.
 */

/** WriteOp is one client write and what became of it. */
export interface WriteOp {
  kind: 'create' | 'update' | 'patch' | 'delete';
  key: string;
  /** value is the unique token the write stores (deletes store none). */
  value?: string;
  start: number;
  end: number;
  outcome: 'ok' | 'failed' | 'unknown';
  /** rv is the resourceVersion an acknowledged create/update/patch answered with. */
  rv?: number;
  status?: number;
}

/** ObservedEvent is one watch event, as (key, type, rv, value). */
export interface ObservedEvent {
  key: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  rv: number;
  value?: string;
}

/** CheckResult counts what was checked; problems lists every violation found. */
export interface CheckResult {
  problems: string[];
  acked: number;
  failed: number;
  unknown: number;
  events: number;
}

/** checkHistory checks writer history against the watched order and the final state (key → value, absent keys missing). */
export function checkHistory(ops: WriteOp[], events: ObservedEvent[], finalState: Map<string, { rv: number; value?: string }>): CheckResult {
  const problems: string[] = [];
  const byRv = new Map<number, ObservedEvent>();
  let last = 0;
  for (const e of events) {
    if (byRv.has(e.rv)) problems.push(`resourceVersion ${e.rv} observed twice (${e.key} ${e.type})`);
    if (e.rv <= last) problems.push(`resourceVersion ${e.rv} after ${last}: not increasing`);
    byRv.set(e.rv, e);
    last = Math.max(last, e.rv);
  }
  const seenValues = new Map<string, ObservedEvent>();
  for (const e of events) if (e.value !== undefined && e.type !== 'DELETED') seenValues.set(e.value, e);

  const ackedRvs = new Set<number>();
  for (const op of ops) {
    if (op.outcome === 'failed' && op.value !== undefined && seenValues.has(op.value)) {
      problems.push(`a failed ${op.kind} of ${op.key} (answered ${op.status}) was applied at rv ${seenValues.get(op.value)!.rv}`);
    }
    if (op.outcome !== 'ok' || op.kind === 'delete') continue;
    if (op.rv === undefined) {
      problems.push(`an acknowledged ${op.kind} of ${op.key} has no resourceVersion`);
      continue;
    }
    if (ackedRvs.has(op.rv)) problems.push(`two acknowledged writes share resourceVersion ${op.rv}`);
    ackedRvs.add(op.rv);
    const e = byRv.get(op.rv);
    if (!e) problems.push(`acknowledged ${op.kind} of ${op.key} at rv ${op.rv} never appeared in the watch`);
    else if (e.key !== op.key || e.value !== op.value) problems.push(`rv ${op.rv}: acknowledged ${op.kind} of ${op.key}=${op.value}, watched ${e.type} ${e.key}=${e.value}`);
  }

  // Real-time order: an acknowledged write precedes every write sent after its acknowledgement.
  const acked = ops.filter((o) => o.outcome === 'ok' && o.rv !== undefined && o.kind !== 'delete').sort((a, b) => a.end - b.end);
  const byStart = [...acked].sort((a, b) => a.start - b.start);
  let maxRvAckedBefore = 0;
  let j = 0;
  for (const b of byStart) {
    while (j < acked.length && acked[j].end < b.start) maxRvAckedBefore = Math.max(maxRvAckedBefore, acked[j++].rv!);
    if (b.rv! <= maxRvAckedBefore) problems.push(`write at rv ${b.rv} was sent after a write acknowledged at rv ${maxRvAckedBefore}: real-time order violated`);
  }

  // Acknowledged deletes: a DELETED event of the key after every write of it acknowledged before the delete was sent.
  for (const d of ops.filter((o) => o.kind === 'delete' && o.outcome === 'ok')) {
    const floor = Math.max(0, ...acked.filter((o) => o.key === d.key && o.end < d.start).map((o) => o.rv!));
    const ceiling = Math.min(Infinity, ...acked.filter((o) => o.key === d.key && o.start > d.end).map((o) => o.rv!));
    if (!events.some((e) => e.key === d.key && e.type === 'DELETED' && e.rv > floor && e.rv < ceiling)) {
      problems.push(`acknowledged delete of ${d.key} has no DELETED event between rv ${floor} and ${ceiling}`);
    }
  }

  // The final state is where the watched order ends, key by key.
  const lastEvent = new Map<string, ObservedEvent>();
  for (const e of events) lastEvent.set(e.key, e);
  const keys = new Set([...lastEvent.keys(), ...finalState.keys()]);
  for (const k of keys) {
    const e = lastEvent.get(k);
    const f = finalState.get(k);
    const watchedLive = e !== undefined && e.type !== 'DELETED';
    if (watchedLive !== (f !== undefined)) problems.push(`final state of ${k}: ${f ? `present at rv ${f.rv}` : 'absent'}, watch ended with ${e ? `${e.type} at rv ${e.rv}` : 'nothing'}`);
    else if (f && e && (f.rv !== e.rv || f.value !== e.value)) problems.push(`final state of ${k} is rv ${f.rv}=${f.value}, watch ended at rv ${e.rv}=${e.value}`);
  }
  return {
    problems,
    acked: ops.filter((o) => o.outcome === 'ok').length,
    failed: ops.filter((o) => o.outcome === 'failed').length,
    unknown: ops.filter((o) => o.outcome === 'unknown').length,
    events: events.length,
  };
}
