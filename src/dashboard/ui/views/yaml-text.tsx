/**
 * A YAML text area with line numbers, and the server's complaints shown at
 * their lines: a mark in the gutter beside the line, and a list of the
 * errors by line under the editor (read out by screen readers as an alert).
 */
import { useRef } from 'preact/hooks';

/** LineErrors are messages by 0-based line. */
export type LineErrors = Map<number, string[]>;

export function YamlText({ text, onInput, errors, label }: { text: string; onInput: (t: string) => void; errors: LineErrors; label: string }) {
  const lines = text.split('\n');
  const gutter = useRef<HTMLOListElement>(null);
  return (
    <>
      <div class="yaml-editor">
        <ol class="gutter" ref={gutter} aria-hidden="true">
          {lines.map((_, i) => <li class={errors.has(i) ? 'bad' : undefined} title={errors.get(i)?.join('; ')}>{errors.has(i) ? '●' : ''}{i + 1}</li>)}
        </ol>
        <textarea aria-label={label} spellcheck={false} wrap="off" rows={Math.min(40, lines.length + 2)} value={text}
          onInput={(e) => onInput((e.currentTarget as HTMLTextAreaElement).value)}
          onScroll={(e) => { if (gutter.current) gutter.current.scrollTop = (e.currentTarget as HTMLTextAreaElement).scrollTop; }} />
      </div>
      {errors.size > 0 && (
        <ol class="field-errors" aria-label="Errors by line">
          {[...errors.entries()].sort((a, b) => a[0] - b[0]).map(([line, msgs]) => <li data-line={line + 1}>line {line + 1}: <code>{(lines[line] ?? '').trim()}</code> — {msgs.join('; ')}</li>)}
        </ol>
      )}
    </>
  );
}

/** addLineError records msg at line (ignored when the line is unknown: the message is in the error box anyway). */
export function addLineError(errors: LineErrors, line: number, msg: string): void {
  if (line < 0) return;
  errors.set(line, [...(errors.get(line) ?? []), msg]);
}
