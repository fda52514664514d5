/** The ways to reach a Service or an Ingress, with links for the ones a browser can open. */
import type { Reach } from '../../why/index.js';

export function ReachList({ reach, label }: { reach: Reach[]; label: string }) {
  if (reach.length === 0) return <p class="hint">No address.</p>;
  return (
    <ul class="reach" aria-label={label}>
      {reach.map((r) => (
        <li>
          <span class="how">{r.how}</span>{' '}
          {r.url ? <a href={r.url} target="_blank" rel="noopener noreferrer">{r.url}</a> : <code>{r.address}</code>}
          {r.backend && <> → <code>{r.backend}</code></>}
        </li>
      ))}
    </ul>
  );
}
