/** A Secret's keys, with each value hidden until asked for. */
import { useState } from 'preact/hooks';
import type { KubeObject } from '../api.js';
import { Section } from '../components.js';

function decode(b64: string): string {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
  } catch {
    return '(not base64)';
  }
}

export function SecretPanel({ secret }: { secret: KubeObject }) {
  const data = (secret.data ?? {}) as Record<string, string>;
  const [shown, setShown] = useState<Set<string>>(new Set());
  return (
    <Section title={`Secret data (${(secret.type as string) ?? 'Opaque'})`}>
      <table>
        <thead><tr><th>Key</th><th>Value</th></tr></thead>
        <tbody>
          {Object.entries(data).map(([k, v]) => (
            <tr>
              <td>{k}</td>
              <td>{shown.has(k) ? <code class="secret-value">{decode(v)}</code> : <button aria-label={`Reveal ${k}`} onClick={() => setShown(new Set([...shown, k]))}>Reveal</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
