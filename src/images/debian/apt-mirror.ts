// SPDX-License-Identifier: Apache-2.0
/**
 * debianMirror finds the Debian archive this machine already uses, so
 * debootstrap and apt inside image builds go where the host's apt goes
 * (a local mirror or proxy works the same) instead of a hard-coded URL.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** DEFAULT_DEBIAN_MIRROR is used when no apt source names a Debian archive. */
export const DEFAULT_DEBIAN_MIRROR = 'http://deb.debian.org/debian';

/** AptSource is one (URI, suites) pair from a sources file. */
export interface AptSource {
  uri: string;
  suites: string[];
}

/**
 * parseAptSources reads both formats apt accepts: one-line `deb URI SUITE COMPONENTS`
 * (sources.list) and deb822 stanzas with URIs/Suites fields (*.sources).
 */
export function parseAptSources(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
    if (m) out.push({ uri: m[1], suites: [m[2]] });
  }
  for (const stanza of text.split(/\n\s*\n/)) {
    const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(stanza)?.[1].trim().split(/\s+/) ?? [];
    if (/^enabled:\s*no/mi.test(stanza) || !field('Types').includes('deb')) continue;
    for (const uri of field('URIs')) out.push({ uri, suites: field('Suites') });
  }
  return out;
}

/** debianMirror returns the first source carrying `suite` itself (not -security or -updates), or the default. */
export function debianMirror(suite = 'bookworm', aptDir = '/etc/apt'): string {
  const files = [join(aptDir, 'sources.list')];
  const dir = join(aptDir, 'sources.list.d');
  if (existsSync(dir)) files.push(...readdirSync(dir).filter((f) => /\.(list|sources)$/.test(f)).map((f) => join(dir, f)));
  for (const file of files.filter((f) => existsSync(f))) {
    for (const s of parseAptSources(readFileSync(file, 'utf8'))) {
      if (s.suites.includes(suite)) return s.uri.replace(/\/+$/, '');
    }
  }
  return DEFAULT_DEBIAN_MIRROR;
}
