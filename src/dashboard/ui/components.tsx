/** Small building blocks shared by the views. */
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
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

/**
 * ConfirmButton asks before doing something destructive, in a modal dialog:
 * the browser keeps focus inside it (the page behind is inert), Escape
 * cancels, the safe choice has focus first, and focus returns to the button
 * that opened it.
 */
export function ConfirmButton({ label, question, onConfirm, danger = true }: { label: string; question: string; onConfirm: () => Promise<unknown>; danger?: boolean }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const id = useId();
  useEffect(() => {
    const d = dialog.current;
    if (asking && d && !d.open) d.showModal();
  }, [asking]);
  const close = () => {
    dialog.current?.close();
    setAsking(false);
    opener.current?.focus();
  };
  return (
    <>
      <button ref={opener} class={danger ? 'danger' : ''} aria-haspopup="dialog" onClick={() => { setError(undefined); setAsking(true); }}>{label}</button>
      {asking && (
        <dialog ref={dialog} class="confirm" aria-labelledby={`${id}-q`} onCancel={(e) => { e.preventDefault(); close(); }}>
          <p id={`${id}-q`}>{question}</p>
          <ErrorBox error={error} />
          <div class="dialog-actions">
            <button autoFocus onClick={close}>Cancel</button>
            <button class="danger" disabled={busy} onClick={async () => {
              setBusy(true);
              try {
                await onConfirm();
                close();
              } catch (err) {
                setError(err as Error);
              } finally {
                setBusy(false);
              }
            }}>Yes, {label.toLowerCase()}</button>
          </div>
        </dialog>
      )}
    </>
  );
}

/** Bar draws usage and requests against a total; requested is undefined while the pods are still being read. */
export function Bar({ label, used, requested, total, format }: { label: string; used?: number; requested?: number; total: number; format: (n: number) => string }) {
  const pct = (n: number) => `${Math.min(100, total > 0 ? (n / total) * 100 : 0).toFixed(1)}%`;
  return (
    <div class="bar-row">
      <span class="bar-label">{label}</span>
      {/* A meter must have a value (ARIA 1.2); while requests are unknown the bar is an indeterminate progressbar, which may lack one. */}
      <div class="bar" role={requested === undefined ? 'progressbar' : 'meter'} aria-label={label} aria-valuemin={0} aria-valuemax={total} aria-valuenow={requested} aria-busy={requested === undefined || undefined}>
        {requested !== undefined && <div class="bar-requested" style={{ width: pct(requested) }} />}
        {used !== undefined && <div class="bar-used" style={{ width: pct(used) }} />}
      </div>
      <span class="bar-text">
        {used !== undefined ? `${format(used)} used · ` : ''}{requested !== undefined ? format(requested) : '…'} requested / {format(total)}
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
 * costs what a screenful does. The keyboard moves through all rows, not just
 * the rendered ones: arrow keys, Page Up/Down, Home and End move the current
 * row (scrolled into view and focused), Enter follows its first link; one row
 * at a time is in the Tab order. Row counts and positions are told to screen
 * readers with aria-rowcount/aria-rowindex, since most rows are not in the DOM.
 */
export function VirtualTable<T>({ header, rows, cells, rowKey, label, height = 560 }: { header: ComponentChildren; rows: T[]; cells: (row: T) => ComponentChildren; rowKey: (row: T) => string; label: string; height?: number }) {
  const [top, setTop] = useState(0);
  const [current, setCurrent] = useState(0);
  const box = useRef<HTMLDivElement>(null);
  const moved = useRef(false);
  // Keys read the current row from a ref, not from this render: Preact renders
  // state changes later, and a second key pressed before that render would
  // otherwise move from the same row again (two ArrowDowns landing on row 1).
  const currentRow = useRef(0);
  const active = Math.min(current, Math.max(0, rows.length - 1));
  currentRow.current = Math.min(currentRow.current, Math.max(0, rows.length - 1));
  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - 10);
  const count = Math.ceil(height / ROW_HEIGHT) + 20;
  const visible = rows.slice(first, first + count);
  useEffect(() => {
    if (!moved.current) return;
    // Focus the row the last key chose: a key pressed after this render but
    // before its effect has already moved on, and this render's row is stale.
    const el = box.current?.querySelector<HTMLElement>(`tr[data-index="${currentRow.current}"]`);
    if (!el) return; // not drawn yet; the render that draws it focuses it
    moved.current = false;
    el.focus();
  });
  const move = (to: number) => {
    const next = Math.max(0, Math.min(rows.length - 1, to));
    const el = box.current;
    if (el) {
      // Keep the row below the sticky header and above the bottom edge.
      const rowTop = next * ROW_HEIGHT;
      if (rowTop < el.scrollTop) el.scrollTop = rowTop;
      else if (rowTop + 2 * ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = rowTop + 2 * ROW_HEIGHT - el.clientHeight;
      setTop(el.scrollTop);
    }
    moved.current = true;
    currentRow.current = next;
    setCurrent(next);
  };
  const page = Math.max(1, Math.floor(height / ROW_HEIGHT) - 2);
  const onKey = (e: KeyboardEvent) => {
    const active = currentRow.current;
    const keys: Record<string, number> = { ArrowDown: active + 1, ArrowUp: active - 1, PageDown: active + page, PageUp: active - page, Home: 0, End: rows.length - 1 };
    if (e.key in keys && rows.length) {
      e.preventDefault();
      move(keys[e.key]);
    } else if (e.key === 'Enter' && (e.target as HTMLElement).tagName === 'TR') {
      (e.target as HTMLElement).querySelector<HTMLAnchorElement>('a')?.click();
    }
  };
  return (
    <div ref={box} class="vtable" tabIndex={active >= first && active < first + count ? undefined : 0} aria-label={active >= first && active < first + count ? undefined : label} role={active >= first && active < first + count ? undefined : 'region'} style={{ maxHeight: `${height}px` }} onScroll={(e) => setTop((e.currentTarget as HTMLElement).scrollTop)} onKeyDown={onKey}>
      <table aria-label={label} aria-rowcount={rows.length + 1}>
        <thead>{header}</thead>
        <tbody>
          {first > 0 && <tr style={{ height: `${first * ROW_HEIGHT}px` }} aria-hidden="true" />}
          {visible.map((row, i) => (
            <tr key={rowKey(row)} data-index={first + i} aria-rowindex={first + i + 2} tabIndex={first + i === active ? 0 : -1} class={first + i === active ? 'current' : undefined}>
              {cells(row)}
            </tr>
          ))}
          {first + count < rows.length && <tr style={{ height: `${(rows.length - first - count) * ROW_HEIGHT}px` }} aria-hidden="true" />}
        </tbody>
      </table>
      {rows.length === 0 && <p class="hint">Nothing to show.</p>}
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
