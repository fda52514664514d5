/**
 * Edit an object as YAML and save it with a PUT under strict field
 * validation; the server's answer decides. Each cause of a rejection is shown
 * beside the line of the field it names.
 */
import { useState } from 'preact/hooks';
import { ApiError, request, type KubeObject } from '../api.js';
import { ErrorBox, Section } from '../components.js';
import { objectPath, type KindInfo } from '../kinds.js';
import { fieldLine } from '../../why/index.js';
import { YamlText, addLineError, type LineErrors } from './yaml-text.js';

import { loadYaml } from '../yaml-loader.js';

async function editable(obj: KubeObject): Promise<string> {
  const copy = structuredClone(obj) as KubeObject;
  delete (copy.metadata as { managedFields?: unknown }).managedFields;
  return (await loadYaml()).stringify(copy);
}

export function YamlEditor({ kind, obj }: { kind: KindInfo; obj: KubeObject }) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [error, setError] = useState<ApiError | Error>();
  const [saved, setSaved] = useState(false);
  if (!open) return <Section title="YAML"><button onClick={async () => { setText(await editable(obj)); setSaved(false); setError(undefined); setOpen(true); }}>Edit YAML</button></Section>;
  const causes = error instanceof ApiError ? error.status.details?.causes ?? [] : [];
  const marks: LineErrors = new Map();
  for (const c of causes) addLineError(marks, c.field ? fieldLine(text, c.field) : -1, `${c.field}: ${c.message}`);
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
      <YamlText text={text} onInput={setText} errors={marks} label="YAML text" />
      {saved && <p class="hint">Saved.</p>}
    </Section>
  );
}
