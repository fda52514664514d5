/** Small building blocks shared by the views. */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError } from './api.js';
import type { LiveState } from './live.js';

export function LiveBadge({ state, error }: { state: LiveState; error?: ApiError }) {
  if (state === 'loading') return <span class="badge" role="status">loading…</span>;
  if (state === 'reconnecting') return <span class="badge warn" role="status" title={error?.message}>reconnecting…</span>;
  return <span class="badge ok" role="status" title="updates live over a watch">live</span>;
}

/** ErrorBox shows an API error plainly: code, reason, message, and each field cause. */
export function ErrorBox({ error }: { error?: ApiError | Error }) {
  if (!error) return null;
  const status = error instanceof ApiError ? error.status : undefined;
  return (
    <div class="error" role="alert">
      <strong>{status?.reason ?? 'Error'}{error instanceof ApiError && error.code ? ` (${error.code})` : ''}</strong>: {error.message}
      {status?.details?.causes?.length ? (
        <ul>{status.details.causes.map((c) => <li><code>{c.field}</code>: {c.message}</li>)}</ul>
      ) : null}
    </div>
  );
}

/** ConfirmButton asks before doing something destructive. */
export function ConfirmButton({ label, question, onConfirm, danger = true }: { label: string; question: string; onConfirm: () => Promise<unknown>; danger?: boolean }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  if (!asking) return <button class={danger ? 'danger' : ''} onClick={() => { setError(undefined); setAsking(true); }}>{label}</button>;
  return (
    <span class="confirm" role="group" aria-label={question}>
      {question}{' '}
      <button class="danger" disabled={busy} autoFocus onClick={async () => {
        setBusy(true);
        try {
          await onConfirm();
          setAsking(false);
        } catch (err) {
          setError(err as Error);
        } finally {
          setBusy(false);
        }
      }}>Yes, {label.toLowerCase()}</button>{' '}
      <button onClick={() => setAsking(false)}>Cancel</button>
      <ErrorBox error={error} />
    </span>
  );
}

/** Bar draws used/total with an optional second mark (requests beside usage). */
export function Bar({ label, used, requested, total, format }: { label: string; used?: number; requested: number; total: number; format: (n: number) => string }) {
  const pct = (n: number) => `${Math.min(100, total > 0 ? (n / total) * 100 : 0).toFixed(1)}%`;
  return (
    <div class="bar-row">
      <span class="bar-label">{label}</span>
      <div class="bar" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={total} aria-valuenow={requested}>
        <div class="bar-requested" style={{ width: pct(requested) }} />
        {used !== undefined && <div class="bar-used" style={{ width: pct(used) }} />}
      </div>
      <span class="bar-text">
        {used !== undefined ? `${format(used)} used · ` : ''}{format(requested)} requested / {format(total)}
      </span>
    </div>
  );
}

export function age(ts?: string): string {
  if (!ts) return '';
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(ts)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

const ROW_HEIGHT = 32;

/**
 * VirtualTable renders only the rows in view, so a list of thousands of pods
 * costs what a screenful does.
 */
export function VirtualTable<T>({ header, rows, render, label, height = 560 }: { header: ComponentChildren; rows: T[]; render: (row: T) => ComponentChildren; label: string; height?: number }) {
  const [top, setTop] = useState(0);
  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - 10);
  const count = Math.ceil(height / ROW_HEIGHT) + 20;
  const visible = rows.slice(first, first + count);
  return (
    <div class="vtable" style={{ maxHeight: `${height}px` }} onScroll={(e) => setTop((e.currentTarget as HTMLElement).scrollTop)} tabIndex={0} aria-label={label}>
      <table>
        <thead>{header}</thead>
        <tbody>
          {first > 0 && <tr style={{ height: `${first * ROW_HEIGHT}px` }} aria-hidden="true" />}
          {visible.map(render)}
          {first + count < rows.length && <tr style={{ height: `${(rows.length - first - count) * ROW_HEIGHT}px` }} aria-hidden="true" />}
        </tbody>
      </table>
    </div>
  );
}

export function Section({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section class="card" aria-label={title}>
      <header class="card-head"><h2>{title}</h2>{actions}</header>
      {children}
    </section>
  );
}
