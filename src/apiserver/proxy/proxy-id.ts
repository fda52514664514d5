// SPDX-License-Identifier: Apache-2.0
/**
 * The `[scheme:]name[:port]` id of services/proxy, pods/proxy and
 * nodes/proxy, split as upstream's utilnet.SplitSchemeNamePort: one part is
 * a name, two are name and port, three are scheme, name and port; the name
 * must not be empty and the scheme may only be http, https or empty.
 */

/** ProxyId is a parsed id; an empty port or scheme means "not given". */
export interface ProxyId {
  scheme: '' | 'http' | 'https';
  name: string;
  port: string;
}

export function splitSchemeNamePort(id: string): ProxyId | undefined {
  const parts = id.split(':');
  let scheme = '';
  let name: string;
  let port = '';
  switch (parts.length) {
    case 1:
      name = parts[0];
      break;
    case 2:
      [name, port] = parts;
      break;
    case 3:
      [scheme, name, port] = parts;
      break;
    default:
      return undefined;
  }
  if (!name || (scheme !== '' && scheme !== 'http' && scheme !== 'https')) return undefined;
  return { scheme: scheme as ProxyId['scheme'], name, port };
}
