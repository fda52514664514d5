/**
 * The hooks views read live lists with: full objects, or the server-rendered
 * Table `kubectl get` prints. Lists are shared per URL (live-store.ts), so
 * two views of the pods read one list and one watch.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, getTable, type KubeObject, type Table } from './api.js';
import { isListed, prime, subscribe, type Live, type Source } from './live-store.js';
import { objectURL } from '../why/index.js';

export type { Live, LiveState } from './live-store.js';
export { dropAll } from './live-store.js';

function useLive<T>(key: string | undefined, source: () => Source<T>): Live<T> {
  const [live, setLive] = useState<Live<T>>(() => (key ? prime(key, source) : { items: [], state: 'loading' }));
  useEffect(() => {
    if (!key) return;
    const sub = subscribe(key, source, setLive);
    setLive(sub.current);
    return sub.unsubscribe;
  }, [key]);
  return live;
}

const uidOf = (o: { metadata: KubeObject['metadata'] }) => o.metadata.uid ?? `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** useLiveObjects lists and watches full objects at path (a collection URL, optionally with a query). */
export function useLiveObjects<T extends KubeObject>(path: string | undefined): Live<T> {
  return useLive<T>(path && `objects ${path}`, () => ({
    watchPath: path!,
    async list() {
      const list = await getList<T>(path!);
      return { items: new Map(list.items.map((o) => [uidOf(o), o])), resourceVersion: list.metadata.resourceVersion };
    },
    apply(items, type, object) {
      if (type === 'DELETED') items.delete(uidOf(object));
      else items.set(uidOf(object), object as unknown as T);
    },
  }));
}

/**
 * useLiveObjectsWithPreview is useLiveObjects for a view whose first paint
 * needs less than the full objects: until the full list is in, the view draws
 * from previewPath read once as a Table without objects (includeObject=None,
 * about 100 bytes a row where a pod is 1.6 KB). The preview is asked for
 * first, while the view renders, so the server answers it before it starts on
 * the full list, which follows at once; a list a view read moments ago is live
 * already and needs no preview.
 */
export function useLiveObjectsWithPreview<T extends KubeObject>(path: string, previewPath: string): { live: Live<T>; preview?: Table } {
  const listed = isListed(`objects ${path}`);
  const [preview, setPreview] = useState<{ path: string; table?: Table }>();
  const asked = useRef<string | undefined>(undefined);
  const mounted = useRef(true);
  useEffect(() => () => { mounted.current = false; }, []);
  if (!listed && asked.current !== previewPath) {
    // Started during render, before useLiveObjects below primes the full list (effects would run after it).
    asked.current = previewPath;
    const done = (table?: Table) => { if (mounted.current) setPreview({ path: previewPath, table }); };
    // A failed preview (a 403, say) leaves the view to the full list, which reports its own error.
    getTable(`${previewPath}${previewPath.includes('?') ? '&' : '?'}includeObject=None`).then(done, () => done());
  }
  const live = useLiveObjects<T>(path);
  return { live, preview: live.state === 'loading' && preview?.path === previewPath ? preview.table : undefined };
}

function getList<T>(path: string) {
  return get<{ items: T[]; metadata: { resourceVersion: string } }>(path);
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

/** A burst of more changed rows than this is read as one new Table instead of row by row. */
const ROWS_PER_READ = 16;
/** Changed rows are gathered this long before they are read. */
const GATHER_MS = 150;

/**
 * useLiveTable lists path as a server-side Table (kubectl's columns) and
 * keeps it live. WebSocket watches carry objects, not rows, so a changed
 * object has its one row read again (a whole new Table when many changed at
 * once); a deletion drops its row at once.
 */
export function useLiveTable(path: string | undefined): LiveTable {
  const live = useLive<TableRow>(path && `table ${path}`, () => {
    const toRow = (r: Table['rows'][number]): [string, TableRow] => [uidOf(r.object), { cells: r.cells, metadata: r.object.metadata }];
    const readTable = async () => {
      const table = await getTable(path!);
      // Kept beside the list (every view of it renders after its rows arrive, and reads them from here).
      tableColumns.set(path!, table.columnDefinitions);
      return table;
    };
    const pending = new Map<string, KubeObject['metadata']>();
    let timer: ReturnType<typeof setTimeout> | undefined;
    return {
      watchPath: path!,
      async list() {
        const table = await readTable();
        return { items: new Map(table.rows.map(toRow)), resourceVersion: table.metadata.resourceVersion ?? '0' };
      },
      apply(items, type, object, changed) {
        const key = uidOf(object);
        if (type === 'DELETED') {
          items.delete(key);
          pending.delete(key);
          return;
        }
        pending.set(key, object.metadata);
        timer ??= setTimeout(async () => {
          timer = undefined;
          const batch = [...pending.values()];
          pending.clear();
          try {
            if (batch.length > ROWS_PER_READ) {
              const table = await readTable();
              items.clear();
              for (const [k, v] of table.rows.map(toRow)) items.set(k, v);
            } else {
              await Promise.all(batch.map(async (m) => {
                try {
                  const one = await getTable(objectURL(path!, m.namespace, m.name));
                  for (const [k, v] of one.rows.map(toRow)) items.set(k, v);
                } catch {
                  // Gone already: its DELETED event drops the row.
                }
              }));
            }
          } catch {
            // The next change or re-list reads it again.
          }
          changed();
        }, GATHER_MS);
      },
    };
  });
  return { ...live, columns: (path && tableColumns.get(path)) || [] };
}

/** The columns of each Table read, so a view shown again has its header at once. */
const tableColumns = new Map<string, Table['columnDefinitions']>();
