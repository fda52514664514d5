/**
 * Any kind as a live list, with the columns `kubectl get` shows (the server
 * renders them as a Table, custom resources' printer columns included).
 */
import { useMemo, useState } from 'preact/hooks';
import { ErrorBox, LiveBadge, Section, VirtualTable } from '../components.js';
import { collectionPath, kindKey, kindTitle, type KindInfo } from '../kinds.js';
import { useLiveTable } from '../live.js';
import { href } from '../router.js';

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function ResourceList({ kind, namespace }: { kind: KindInfo; namespace: string }) {
  const table = useLiveTable(collectionPath(kind, namespace));
  const [filter, setFilter] = useState('');
  // Priority-0 columns are what `kubectl get` prints without -o wide.
  const shown = table.columns.map((c, i) => ({ c, i })).filter(({ c }) => c.priority === 0);
  const showNamespace = kind.namespaced && !namespace;
  // Sorted once per new list, not on every render (a list of 1,000 rows re-renders as the user scrolls).
  const sorted = useMemo(() => table.items
    .map((r) => ({ r, key: `${r.metadata.namespace ?? ''}/${r.metadata.name}` }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ r }) => r), [table.items]);
  const rows = useMemo(() => (filter ? sorted.filter((r) => r.cells.some((c) => cellText(c).includes(filter)) || (r.metadata.namespace ?? '').includes(filter)) : sorted), [sorted, filter]);
  return (
    <Section title={`${kindTitle(kind)}${kind.namespaced ? (namespace ? ` in ${namespace}` : ' in all namespaces') : ''}`} actions={<LiveBadge state={table.state} error={table.error} />}>
      <label class="filter">Filter <input type="search" value={filter} onInput={(e) => setFilter((e.currentTarget as HTMLInputElement).value)} /></label>
      <span class="count">{rows.length} shown</span>
      {table.error && table.error.code === 403 ? <ErrorBox error={table.error} /> : null}
      <VirtualTable
        label={`${kind.kind} list`}
        rows={rows}
        header={<tr>{showNamespace && <th>Namespace</th>}{shown.map(({ c }) => <th title={c.description}>{c.name}</th>)}</tr>}
        rowKey={(r) => r.metadata.uid ?? `${r.metadata.namespace}/${r.metadata.name}`}
        cells={(r) => (
          <>
            {showNamespace && <td>{r.metadata.namespace}</td>}
            {shown.map(({ c, i }) => (
              <td>{c.name === 'Name' ? <a tabIndex={-1} href={kind.namespaced ? href('object', kindKey(kind), r.metadata.namespace ?? '', r.metadata.name) : href('object', kindKey(kind), r.metadata.name)}>{cellText(r.cells[i])}</a> : cellText(r.cells[i])}</td>
            ))}
          </>
        )}
      />
    </Section>
  );
}
