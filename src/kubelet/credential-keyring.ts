// SPDX-License-Identifier: Apache-2.0
/**
 * The credential keyring built from a pod's imagePullSecrets, as upstream
 * pkg/credentialprovider/keyring.go: each `auths` key of a
 * kubernetes.io/dockerconfigjson (or legacy dockercfg) Secret is a schemeless
 * URL ("127.0.0.1:5000", "https://index.docker.io/v1/", "*.example.com/team")
 * and applies to an image when the hosts match part by part (with globs),
 * the ports are equal and the key's path is a prefix of the image's path.
 * More specific keys come first. Images without a registry host use the
 * Docker Hub entry.
 */
import type { Secret } from 'kubernetes-types/core/v1.js';
import type { AuthConfig } from './cri/cri-types.js';

/** DockerConfigEntry is one `auths` value of a docker config.json. */
interface DockerConfigEntry {
  username?: string;
  password?: string;
  auth?: string;
  identitytoken?: string;
  registrytoken?: string;
}

// Upstream stores Docker Hub credentials under this host whatever spelling the config used.
const DEFAULT_REGISTRY_HOST = 'index.docker.io';
const DOCKER_HUB_ALIASES = new Set(['index.docker.io', 'docker.io', 'registry-1.docker.io']);

/** registryHost is the registry part of an image reference, "docker.io" when none is named (as the docker reference normaliser). */
export function registryHost(image: string): string {
  const first = image.split('/')[0];
  if (!image.includes('/') || (!first.includes('.') && !first.includes(':') && first !== 'localhost')) return 'docker.io';
  return first;
}

interface SchemelessURL {
  hostParts: string[];
  port: string;
  path: string;
}

// "host:port/path" with any scheme and the /v1/ or /v2/ API suffix dropped, as upstream's Add and parseSchemelessURL.
function parseSchemeless(s: string): SchemelessURL | undefined {
  let u: URL;
  try {
    u = new URL(`https://${s.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')}`);
  } catch {
    return undefined;
  }
  const path = u.pathname.replace(/\/v[12]\/?$/, '').replace(/\/+$/, '');
  // WHATWG URL lower-cases hosts and keeps "*" in them; it drops the default port 443, as does Go's keyring key.
  return { hostParts: u.hostname.split('.'), port: u.port, path };
}

// A key without a registry host applies to nothing; a glob part ("*", "reg-*") matches one DNS label.
function urlsMatch(glob: SchemelessURL, target: SchemelessURL): boolean {
  if (glob.hostParts.length !== target.hostParts.length || glob.port !== target.port) return false;
  for (let i = 0; i < glob.hostParts.length; i++) {
    const re = new RegExp(`^${glob.hostParts[i].replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^.]*')}$`);
    if (!re.test(target.hostParts[i])) return false;
  }
  return target.path.startsWith(glob.path);
}

// The repository of an image without its tag or digest: "127.0.0.1:5000/test/busybox".
function repositoryOf(image: string): string {
  const noDigest = image.split('@')[0];
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

function entriesOf(s: Secret): Record<string, DockerConfigEntry> {
  try {
    if (s.type === 'kubernetes.io/dockerconfigjson' && s.data?.['.dockerconfigjson']) {
      return JSON.parse(Buffer.from(s.data['.dockerconfigjson'], 'base64').toString()).auths ?? {};
    }
    if (s.type === 'kubernetes.io/dockercfg' && s.data?.['.dockercfg']) {
      return JSON.parse(Buffer.from(s.data['.dockercfg'], 'base64').toString());
    }
  } catch {
    // Upstream skips a pull secret whose config does not parse.
  }
  return {};
}

// Upstream decodes "auth" (base64 "user:password") into username and password and passes no
// server_address: containerd then uses the credentials for whichever host it resolves to.
function toAuthConfig(e: DockerConfigEntry): AuthConfig {
  let { username, password } = e;
  if (e.auth) {
    const decoded = Buffer.from(e.auth, 'base64').toString();
    const colon = decoded.indexOf(':');
    if (colon > 0) [username, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
  }
  const out: AuthConfig = { username, password };
  if (e.identitytoken) out.identity_token = e.identitytoken;
  if (e.registrytoken) out.registry_token = e.registrytoken;
  return out;
}

/** credentialsFor lists the credentials of the pod's pull secrets that apply to the image, most specific key first. */
export function credentialsFor(image: string, secrets: Secret[]): AuthConfig[] {
  const byKey = new Map<string, { url: SchemelessURL; auths: AuthConfig[] }>();
  for (const s of secrets) {
    for (const [loc, entry] of Object.entries(entriesOf(s))) {
      const url = parseSchemeless(loc);
      if (!url) continue;
      if (DOCKER_HUB_ALIASES.has(url.hostParts.join('.')) && !url.port) url.hostParts = DEFAULT_REGISTRY_HOST.split('.');
      const key = `${url.hostParts.join('.')}${url.port ? `:${url.port}` : ''}${url.path}`;
      const slot = byKey.get(key) ?? { url, auths: [] };
      slot.auths.push(toAuthConfig(entry));
      byKey.set(key, slot);
    }
  }
  let repo = repositoryOf(image);
  if (registryHost(image) === 'docker.io') repo = `${DEFAULT_REGISTRY_HOST}/${repo.replace(/^(docker\.io|index\.docker\.io)\//, '')}`;
  const target = parseSchemeless(repo);
  if (!target) return [];
  // Reverse lexical order puts "reg.io/team" before "reg.io", as upstream's sorted index does.
  const keys = [...byKey.keys()].sort().reverse();
  return keys.flatMap((k) => (urlsMatch(byKey.get(k)!.url, target) ? byKey.get(k)!.auths : []));
}
