/** A container's logs: follow live, previous instance, container switch, and search. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { streamText } from '../api.js';
import { ErrorBox, Section } from '../components.js';

const MAX_CHARS = 2_000_000;

export function PodLogs({ namespace, pod, containers }: { namespace: string; pod: string; containers: string[] }) {
  const [container, setContainer] = useState(containers[0] ?? '');
  const [follow, setFollow] = useState(true);
  const [previous, setPrevious] = useState(false);
  const [search, setSearch] = useState('');
  const [text, setText] = useState('');
  const [error, setError] = useState<Error>();
  const box = useRef<HTMLPreElement>(null);
  useEffect(() => {
    const ac = new AbortController();
    setText('');
    setError(undefined);
    const q = new URLSearchParams({ container, tailLines: '1000' });
    if (follow && !previous) q.set('follow', 'true');
    if (previous) q.set('previous', 'true');
    let buffered = '';
    streamText(`/api/v1/namespaces/${namespace}/pods/${pod}/log?${q}`, (chunk) => {
      buffered = (buffered + chunk).slice(-MAX_CHARS);
      setText(buffered);
    }, ac.signal).catch((err) => { if (!ac.signal.aborted) setError(err as Error); });
    return () => ac.abort();
  }, [namespace, pod, container, follow, previous]);
  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [text, follow]);
  const lines = text.split('\n');
  const shown = search ? lines.filter((l) => l.includes(search)) : lines;
  return (
    <Section title="Logs" actions={
      <span class="log-controls">
        {containers.length > 1 && <label>Container <select value={container} onChange={(e) => setContainer((e.currentTarget as HTMLSelectElement).value)}>{containers.map((c) => <option>{c}</option>)}</select></label>}
        <label><input type="checkbox" checked={follow} onChange={(e) => setFollow((e.currentTarget as HTMLInputElement).checked)} /> Follow</label>
        <label><input type="checkbox" checked={previous} onChange={(e) => setPrevious((e.currentTarget as HTMLInputElement).checked)} /> Previous</label>
        <label>Search <input type="search" value={search} onInput={(e) => setSearch((e.currentTarget as HTMLInputElement).value)} /></label>
      </span>
    }>
      <ErrorBox error={error} />
      <pre class="logs" ref={box} tabIndex={0} aria-label="Log output">{shown.join('\n')}</pre>
    </Section>
  );
}
