/**
 * Create or apply objects from YAML (several documents separated by `---`).
 * Every object is checked by the server first (dryRun=All); its complaints
 * are shown at the lines of the fields they name; nothing is stored unless
 * every object passes.
 */
import { useState } from 'preact/hooks';
import { fieldLine } from '../../why/index.js';
import { ApiError } from '../api.js';
import { ErrorBox, Section } from '../components.js';
import { kindKey } from '../kinds.js';
import { applyManifest, plan, type ApplyMode, type Sent } from '../manifest-apply.js';
import { href } from '../router.js';
import { YamlText, addLineError, type LineErrors } from './yaml-text.js';

const EXAMPLE = `apiVersion: v1
kind: ConfigMap
metadata:
  name: example
data:
  greeting: hello
`;

/** lineErrorsOf places each failure at its line: a cause at its field's line, anything else at the document's first line. */
function lineErrorsOf(results: Sent[]): LineErrors {
  const errors: LineErrors = new Map();
  for (const r of results) {
    const { doc, problem } = r.planned;
    if (problem) {
      addLineError(errors, problem.line, problem.message);
      continue;
    }
    if (!r.error) continue;
    const causes = r.error instanceof ApiError ? r.error.status.details?.causes ?? [] : [];
    const placed = causes.filter((c) => c.field).map((c) => {
      const at = fieldLine(doc.text, c.field!);
      addLineError(errors, at < 0 ? doc.startLine : doc.startLine + at, `${c.field}: ${c.message}`);
      return true;
    });
    if (placed.length === 0) addLineError(errors, doc.startLine, r.error.message);
  }
  return errors;
}

export function ApplyView({ namespace }: { namespace: string }) {
  const [text, setText] = useState(EXAMPLE);
  const [mode, setMode] = useState<ApplyMode>('apply');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ results: Sent[]; applied: boolean; checkOnly: boolean }>();
  const [error, setError] = useState<Error>();
  const run = async (checkOnly: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      const planned = await plan(text, namespace);
      if (planned.length === 0) throw new Error('the manifest has no documents');
      setOutcome({ ...(await applyManifest(planned, mode, checkOnly)), checkOnly });
    } catch (err) {
      setError(err as Error);
      setOutcome(undefined);
    } finally {
      setBusy(false);
    }
  };
  const results = outcome?.results ?? [];
  const failed = results.filter((r) => r.error).length;
  return (
    <Section title="Create or apply YAML" actions={
      <span class="apply-actions">
        <button disabled={busy} onClick={() => run(true)}>Check</button>{' '}
        <button class="primary" disabled={busy} onClick={() => run(false)}>{mode === 'apply' ? 'Apply' : 'Create'}</button>
      </span>
    }>
      <fieldset class="mode">
        <legend>How</legend>
        <label><input type="radio" name="apply-mode" checked={mode === 'apply'} onChange={() => setMode('apply')} /> Apply (server-side: creates or updates)</label>{' '}
        <label><input type="radio" name="apply-mode" checked={mode === 'create'} onChange={() => setMode('create')} /> Create (fails if it exists)</label>
      </fieldset>
      <p class="hint">Objects without a namespace go to <code>{namespace || 'default'}</code>. The server checks every document first (a dry run); nothing is stored unless all pass.</p>
      <ErrorBox error={error} />
      <YamlText text={text} onInput={(t) => { setText(t); setOutcome(undefined); }} errors={lineErrorsOf(results)} label="Manifest YAML" />
      {outcome && (
        <div role={failed ? 'alert' : 'status'} class={failed ? 'error' : 'result'}>
          <p>{failed ? `${failed} of ${outcome.results.length} objects failed${outcome.applied || outcome.checkOnly ? '' : '; nothing was stored'}.` : outcome.checkOnly ? 'Every object passed the server\'s checks; nothing was stored.' : 'Done.'}</p>
          <ul aria-label="Results">
            {results.map((r) => {
              const body = r.result ?? r.planned.body;
              const label = body ? `${body.kind}/${body.metadata.name ?? '?'}` : `document at line ${r.planned.doc.startLine + 1}`;
              const link = r.result && r.planned.kind && r.verb !== 'checked'
                ? (r.planned.kind.namespaced ? href('object', kindKey(r.planned.kind), r.result.metadata.namespace ?? '', r.result.metadata.name) : href('object', kindKey(r.planned.kind), r.result.metadata.name))
                : undefined;
              return (
                <li>
                  {link ? <a href={link}>{label}</a> : <code>{label}</code>}: {r.error ? <span class="bad-text">{r.error.message}</span> : r.verb}
                </li>
              );
            })}
          </ul>
        </div>
      )}
    </Section>
  );
}
