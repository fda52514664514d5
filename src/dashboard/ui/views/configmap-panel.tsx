/**
 * A ConfigMap's keys and values on its page (not only inside the YAML):
 * text values as they are, multi-line ones kept as written; binaryData keys
 * with their size, since their bytes are not text.
 */
import type { KubeObject } from '../api.js';
import { Section } from '../components.js';

/** decodedSize is the byte length of a base64 value (binaryData is base64 on the wire). */
function decodedSize(b64: string): number {
  const padding = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return Math.floor((b64.length * 3) / 4) - padding;
}

export function ConfigMapPanel({ configMap }: { configMap: KubeObject }) {
  const data = Object.entries((configMap.data ?? {}) as Record<string, string>).sort(([a], [b]) => a.localeCompare(b));
  const binary = Object.entries((configMap.binaryData ?? {}) as Record<string, string>).sort(([a], [b]) => a.localeCompare(b));
  const title = `Data (${data.length + binary.length} ${data.length + binary.length === 1 ? 'key' : 'keys'}${configMap.immutable ? ', immutable' : ''})`;
  return (
    <Section title={title}>
      {data.length + binary.length === 0 ? <p class="hint">No data.</p> : (
        <table class="configmap-data" aria-label="ConfigMap data">
          <thead><tr><th scope="col">Key</th><th scope="col">Value</th></tr></thead>
          <tbody>
            {data.map(([k, v]) => (
              <tr>
                <th scope="row"><code>{k}</code></th>
                <td><pre class="configmap-value">{v}</pre></td>
              </tr>
            ))}
            {binary.map(([k, v]) => (
              <tr>
                <th scope="row"><code>{k}</code></th>
                <td class="hint">binary, {decodedSize(v)} bytes</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}
