/**
 * A terminal in a container over exec: the API's WebSocket with the
 * v4.channel.k8s.io protocol (first byte of each frame names the stream:
 * 0 stdin, 1 stdout, 2 stderr, 3 status, 4 resize), drawn by xterm.js.
 */
import { useEffect, useState } from 'preact/hooks';
import { webSocketProtocols } from '../api.js';
import { Section } from '../components.js';

const encoder = new TextEncoder();

function frame(channel: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + 1);
  out[0] = channel;
  out.set(data, 1);
  return out;
}

export function PodTerminal({ namespace, pod, containers }: { namespace: string; pod: string; containers: string[] }) {
  const [container, setContainer] = useState(containers[0] ?? '');
  const [open, setOpen] = useState(false);
  const [status, setStatus] = useState('');
  // The terminal's element arrives through a callback ref, so the effect runs once it is in the page.
  const [element, setElement] = useState<HTMLDivElement | null>(null);
  useEffect(() => {
    if (!open || !element) return;
    let closed = false;
    let cleanup = () => { closed = true; };
    // xterm.js is most of the bundle's weight: loaded only when a terminal opens.
    void import('@xterm/xterm').then(({ Terminal }) => {
      if (closed) return;
      cleanup = connect(new Terminal({ rows: 24, cols: 100 }), element);
    });
    return () => cleanup();
  }, [open, element, container, namespace, pod]);

  function connect(term: import('@xterm/xterm').Terminal, element: HTMLElement): () => void {
    term.open(element);
    const q = new URLSearchParams({ container, stdin: 'true', stdout: 'true', stderr: 'false', tty: 'true' });
    for (const c of ['sh', '-c', 'if command -v bash >/dev/null; then exec bash; else exec sh; fi']) q.append('command', c);
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/namespaces/${namespace}/pods/${pod}/exec?${q}`;
    const ws = new WebSocket(url, webSocketProtocols('v4.channel.k8s.io'));
    ws.binaryType = 'arraybuffer';
    setStatus('connecting…');
    ws.onopen = () => {
      setStatus('connected');
      ws.send(frame(4, encoder.encode(JSON.stringify({ Width: term.cols, Height: term.rows }))));
      term.focus();
    };
    ws.onmessage = (e) => {
      const data = new Uint8Array(e.data as ArrayBuffer);
      if (data[0] === 1 || data[0] === 2) term.write(data.subarray(1));
      else if (data[0] === 3) {
        const s = JSON.parse(new TextDecoder().decode(data.subarray(1))) as { status?: string; message?: string };
        setStatus(s.status === 'Success' ? 'exited' : `exited: ${s.message ?? ''}`);
      }
    };
    ws.onclose = () => setStatus((s) => (s.startsWith('exited') ? s : 'disconnected'));
    ws.onerror = () => setStatus('could not connect');
    const input = term.onData((d) => { if (ws.readyState === WebSocket.OPEN) ws.send(frame(0, encoder.encode(d))); });
    return () => { input.dispose(); ws.close(); term.dispose(); };
  }
  return (
    <Section title="Terminal" actions={
      <span>
        {containers.length > 1 && <label>Container <select value={container} onChange={(e) => setContainer((e.currentTarget as HTMLSelectElement).value)}>{containers.map((c) => <option>{c}</option>)}</select></label>}{' '}
        <button onClick={() => setOpen(!open)}>{open ? 'Close' : 'Open terminal'}</button> <span role="status">{status}</span>
      </span>
    }>
      {open && <div class="terminal-host" ref={setElement} aria-label="Terminal" />}
    </Section>
  );
}
