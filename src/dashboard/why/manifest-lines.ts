// SPDX-License-Identifier: Apache-2.0
/**
 * Where things are in a YAML manifest, so the server's answer about a field
 * (a Status cause's field path: `spec.template.spec.containers[0].image`,
 * `data[bad key!]`, `metadata.name`) is shown beside the line that holds it,
 * in a text of several documents separated by `---`.
 */

/** Document is one YAML document of a manifest: its text and the 0-based line it starts at in the whole. */
export interface ManifestDocument {
  startLine: number;
  text: string;
}

/** splitDocuments cuts a manifest at its `---` lines (a document marker may carry a comment). */
export function splitDocuments(manifest: string): ManifestDocument[] {
  const lines = manifest.split('\n');
  const docs: ManifestDocument[] = [];
  let start = 0;
  for (let i = 0; i <= lines.length; i++) {
    if (i === lines.length || /^---(\s|$)/.test(lines[i])) {
      const text = lines.slice(start, i).join('\n');
      if (text.replace(/#.*$/gm, '').trim()) docs.push({ startLine: start, text });
      start = i + 1;
    }
  }
  return docs;
}

/** fieldSegments reads a field path into keys and list indices: `a.b[2].c` → a, b, 2, c; `data[x y]` → data, "x y". */
export function fieldSegments(field: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /([^.[\]]+)|\[([^\]]*)\]/g;
  for (let m = re.exec(field); m; m = re.exec(field)) {
    if (m[1] !== undefined) out.push(m[1]);
    else out.push(/^\d+$/.test(m[2]) ? Number(m[2]) : m[2]);
  }
  return out;
}

const indentOf = (l: string) => l.length - l.trimStart().length;
const keyPattern = (key: string) => new RegExp(`^(\\s*)(- +)?("${escape(key)}"|'${escape(key)}'|${escape(key)})\\s*:`);
function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * fieldLine finds the 0-based line in a YAML document that holds the field
 * path, as deep as the text has it: the key of the last segment found (a
 * missing key points at its parent, where it belongs). -1 when not even the
 * first key is there.
 */
export function fieldLine(yamlText: string, field: string): number {
  const lines = yamlText.split('\n');
  let from = 0;
  let to = lines.length;
  let parentIndent = -1;
  let found = -1;
  for (const seg of fieldSegments(field)) {
    let hit = -1;
    if (typeof seg === 'number') {
      // The seg-th item of the list under the current key: lines starting with "- " at the list's indentation.
      let seen = -1;
      let listIndent = -1;
      for (let i = from; i < to; i++) {
        const l = lines[i];
        if (!l.trim() || l.trimStart().startsWith('#')) continue;
        if (indentOf(l) <= parentIndent && !l.trimStart().startsWith('- ')) break;
        if (!l.trimStart().startsWith('- ')) continue;
        if (listIndent < 0) listIndent = indentOf(l);
        if (indentOf(l) !== listIndent) continue;
        if (++seen === seg) { hit = i; break; }
      }
      if (hit < 0) break;
      // Keys of the item sit at the item's indentation plus "- ".
      parentIndent = indentOf(lines[hit]);
      found = hit;
      from = hit;
      to = endOfBlock(lines, hit, parentIndent, true);
      continue;
    }
    const re = keyPattern(seg);
    for (let i = from; i < to; i++) {
      const m = re.exec(lines[i]);
      if (m && (m[1].length + (m[2]?.length ?? 0)) > parentIndent) { hit = i; break; }
    }
    if (hit < 0) break;
    const m = re.exec(lines[hit])!;
    parentIndent = m[1].length + (m[2]?.length ?? 0);
    found = hit;
    from = hit + 1;
    to = endOfBlock(lines, hit, parentIndent, false);
  }
  return found;
}

/**
 * endOfBlock is the first line after `start` outside the block of a key at
 * column `col` (a list may sit at its key's own column: `containers:\n- name: a`),
 * or of a list item whose dash is at `col` (its next sibling ends it).
 */
function endOfBlock(lines: string[], start: number, col: number, item: boolean): number {
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i];
    if (!l.trim() || l.trimStart().startsWith('#')) continue;
    const n = indentOf(l);
    if (item ? n <= col : n < col || (n === col && !l.trimStart().startsWith('- '))) return i;
  }
  return lines.length;
}
