/**
 * Live lists: list once, then watch from the list's resourceVersion, as an
 * informer does. A watch that ends is resumed from the last version seen; a
 * 410 (version compacted away) or a dropped connection re-lists after a short
 * back-off. Views never reload: they re-render on each change.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, getTable, watchStream, type KubeObject, type Table } from './api.js';

/** LiveState is what a view shows about the connection behind a list. */
export type LiveState = 'loading' | 'live' | 'reconnecting';

export interface Live<T> {
  items: T[];
  state: LiveState;
  /** error is the last failure (a 403 stays: the user may not list this). */
  error?: ApiError;
}

interface Source<T> {
  /** list returns the items keyed by uid and the version to watch from. */
  list(): Promise<{ items: Map<string, T>; resourceVersion: string }>;
  /** apply folds one watch event's object into the items; 'stale' asks for a re-list soon (server-rendered rows). */
  apply(items: Map<string, T>, type: string, object: KubeObject): void | 'stale';
  watchPath: string;
}

/** A stale list is re-read at most this often while events keep coming. */
const REFRESH_MS = 400;

async function follow<T>(source: Source<T>, publish: (l: Live<T>) => void, signal: AbortSignal): Promise<void> {
  let backoff = 500;
  while (!signal.aborted) {
    let items: Map<string, T>;
    let rv: string;
    try {
      ({ items, resourceVersion: rv } = await source.list());
    } catch (err) {
      if (signal.aborted) return;
      const e = err instanceof ApiError ? err : new ApiError(0, { message: String((err as Error).message ?? err) });
      publish({ items: [], state: e.code === 403 || e.code === 404 ? 'live' : 'reconnecting', error: e });
      if (e.code === 401 || e.code === 403 || e.code === 404) return;
      await sleep(backoff, signal);
      backoff = Math.min(backoff * 2, 8000);
      continue;
    }
    publish({ items: [...items.values()], state: 'live' });
    backoff = 500;
    let refresh: ReturnType<typeof setTimeout> | undefined;
    const refreshSoon = () => {
      refresh ??= setTimeout(() => {
        refresh = undefined;
        source.list().then((fresh) => {
          if (signal.aborted) return;
          items.clear();
          for (const [k, v] of fresh.items) items.set(k, v);
          publish({ items: [...items.values()], state: 'live' });
        }, () => undefined);
      }, REFRESH_MS);
    };
    signal.addEventListener('abort', () => clearTimeout(refresh), { once: true });
    // Resume the watch from the last version until it fails; then re-list.
    for (;;) {
      try {
        rv = await watchStream(source.watchPath, rv, (ev) => {
          if (ev.type === 'BOOKMARK') return;
          if (source.apply(items, ev.type, ev.object) === 'stale') refreshSoon();
          publish({ items: [...items.values()], state: 'live' });
        }, signal);
        if (signal.aborted) return;
      } catch (err) {
        if (signal.aborted) return;
        const gone = err instanceof ApiError && err.code === 410;
        if (!gone) {
          publish({ items: [...items.values()], state: 'reconnecting', error: err instanceof ApiError ? err : undefined });
          await sleep(backoff, signal);
          backoff = Math.min(backoff * 2, 8000);
        }
        break;
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}

function useLive<T>(key: string | undefined, source: () => Source<T>): Live<T> {
  const [live, setLive] = useState<Live<T>>({ items: [], state: 'loading' });
  useEffect(() => {
    if (!key) return;
    setLive({ items: [], state: 'loading' });
    const ac = new AbortController();
    // Coalesce bursts (a rollout touches many pods at once) into one render per frame.
    let pending: Live<T> | undefined;
    const publish = (l: Live<T>) => {
      if (!pending) requestAnimationFrame(() => { if (pending && !ac.signal.aborted) setLive(pending); pending = undefined; });
      pending = l;
    };
    void follow(source(), publish, ac.signal);
    return () => ac.abort();
  }, [key]);
  return live;
}

/** useLiveObjects lists and watches full objects at path (a collection URL, optionally with a query). */
export function useLiveObjects<T extends KubeObject>(path: string | undefined): Live<T> {
  return useLive<T>(path, () => ({
    watchPath: path!,
    async list() {
      const list = await get<{ items: T[]; metadata: { resourceVersion: string } }>(path!);
      return { items: new Map(list.items.map((o) => [o.metadata.uid ?? o.metadata.name, o])), resourceVersion: list.metadata.resourceVersion };
    },
    apply(items, type, object) {
      const key = object.metadata.uid ?? object.metadata.name;
      if (type === 'DELETED') items.delete(key);
      else items.set(key, object as unknown as T);
    },
  }));
}

/** TableRow is one row of a live Table with its object's metadata. */
export interface TableRow {
  cells: unknown[];
  metadata: KubeObject['metadata'];
}

/** LiveTable adds the column definitions of the server-rendered Table. */
export interface LiveTable extends Live<TableRow> {
  columns: Table['columnDefinitions'];
}

/**
 * useLiveTable lists path as a server-side Table (kubectl's columns) and
 * keeps it live: a deletion drops its row at once, any other change has the
 * Table read again (WebSocket watches carry objects, not Table rows).
 */
export function useLiveTable(path: string | undefined): LiveTable {
  const [columns, setColumns] = useState<Table['columnDefinitions']>([]);
  const live = useLive<TableRow>(path, () => ({
    watchPath: path!,
    async list() {
      const table = await getTable(path!);
      setColumns(table.columnDefinitions);
      const rows = new Map<string, TableRow>();
      for (const r of table.rows) rows.set(r.object.metadata.uid ?? r.object.metadata.name, { cells: r.cells, metadata: r.object.metadata });
      return { items: rows, resourceVersion: table.metadata.resourceVersion ?? '0' };
    },
    apply(items, type, object) {
      if (type !== 'DELETED') return 'stale';
      items.delete(object.metadata.uid ?? object.metadata.name);
    },
  }));
  return { ...live, columns };
}
