/**
 * Edit an object as YAML and save it with a PUT under strict field
 * validation; the server's answer decides. Each cause of a rejection is shown
 * beside the line of the field it names.
 */
import { useState } from 'preact/hooks';
import { ApiError, request, type KubeObject } from '../api.js';
import { ErrorBox, Section } from '../components.js';
import { objectPath, type KindInfo } from '../kinds.js';

// The YAML library loads with the first editor that opens, not with the page.
type YamlModule = typeof import('yaml');
let yamlModule: Promise<YamlModule> | undefined;
const loadYaml = () => (yamlModule ??= import('yaml'));

async function editable(obj: KubeObject): Promise<string> {
  const copy = structuredClone(obj) as KubeObject;
  delete (copy.metadata as { managedFields?: unknown }).managedFields;
  return (await loadYaml()).stringify(copy);
}

/** fieldLine finds the line of a field path's last key (`data.foo`, `spec.containers[0].image`) in YAML text. */
export function fieldLine(yamlText: string, field: string): number {
  const keys = field.replace(/\[[^\]]*\]/g, '').split('.').filter(Boolean);
  const lines = yamlText.split('\n');
  let from = 0;
  let line = -1;
  for (const key of keys) {
    const found = lines.findIndex((l, i) => i >= from && new RegExp(`^\\s*(- )?${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:`).test(l));
    if (found < 0) break;
    line = found;
    from = found + 1;
  }
  return line;
}

export function YamlEditor({ kind, obj }: { kind: KindInfo; obj: KubeObject }) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [error, setError] = useState<ApiError | Error>();
  const [saved, setSaved] = useState(false);
  if (!open) return <Section title="YAML"><button onClick={async () => { setText(await editable(obj)); setSaved(false); setError(undefined); setOpen(true); }}>Edit YAML</button></Section>;
  const causes = error instanceof ApiError ? error.status.details?.causes ?? [] : [];
  const marks = new Map<number, string[]>();
  for (const c of causes) {
    const line = c.field ? fieldLine(text, c.field) : -1;
    if (line >= 0) marks.set(line, [...(marks.get(line) ?? []), `${c.field}: ${c.message}`]);
  }
  const save = async () => {
    setError(undefined);
    let body: unknown;
    try {
      body = (await loadYaml()).parse(text);
    } catch (err) {
      return setError(new Error(`not valid YAML: ${(err as Error).message}`));
    }
    try {
      await request('PUT', `${objectPath(kind, obj.metadata.namespace, obj.metadata.name)}?fieldValidation=Strict`, body);
      setSaved(true);
      setOpen(false);
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <Section title="YAML" actions={<><button onClick={save}>Save</button> <button onClick={() => setOpen(false)}>Cancel</button></>}>
      <ErrorBox error={error} />
      <div class="yaml-editor">
        <textarea aria-label="YAML text" spellcheck={false} rows={Math.min(40, text.split('\n').length + 2)} value={text} onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} />
        {marks.size > 0 && (
          <ol class="field-errors" aria-label="Errors by line">
            {[...marks.entries()].sort((a, b) => a[0] - b[0]).map(([line, msgs]) => <li data-line={line + 1}>line {line + 1}: <code>{text.split('\n')[line].trim()}</code> — {msgs.join('; ')}</li>)}
          </ol>
        )}
      </div>
      {saved && <p class="hint">Saved.</p>}
    </Section>
  );
}
