// SPDX-License-Identifier: Apache-2.0
/**
 * The ingress-nginx annotations Skiff honours, read the way ingress-nginx
 * reads them (docs: user-guide/nginx-configuration/annotations). Any other
 * annotation in an ingress controller's namespace is reported as
 * unsupported rather than silently ignored.
 */
import type { Ingress } from 'kubernetes-types/networking/v1.js';
import { INGRESS_CLASS_ANNOTATION } from './ingress-class.js';

const NGINX = 'nginx.ingress.kubernetes.io/';

/** ANNOTATIONS names the annotation keys this controller understands. */
export const ANNOTATIONS = {
  useRegex: `${NGINX}use-regex`,
  rewriteTarget: `${NGINX}rewrite-target`,
  sslRedirect: `${NGINX}ssl-redirect`,
  forceSslRedirect: `${NGINX}force-ssl-redirect`,
  backendProtocol: `${NGINX}backend-protocol`,
} as const;

const SUPPORTED = new Set<string>([...Object.values(ANNOTATIONS), INGRESS_CLASS_ANNOTATION]);

/** IngressAnnotations are the parsed annotations of one Ingress. */
export interface IngressAnnotations {
  useRegex: boolean;
  /** rewriteTarget replaces the matched path; `$1`.. refer to the path regex's capture groups. */
  rewriteTarget?: string;
  /** sslRedirect: undefined means the default (redirect when the host has TLS). */
  sslRedirect?: boolean;
  forceSslRedirect: boolean;
  /** unsupported lists annotation keys (or values) we cannot honour, for an UnsupportedAnnotation event. */
  unsupported: string[];
}

/** isControllerAnnotation is true for keys aimed at some ingress controller (nginx, alb, traefik, gce, ...). */
function isControllerAnnotation(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash < 0) return false;
  const prefix = key.slice(0, slash);
  return prefix.endsWith('ingress.kubernetes.io') || prefix === 'kubernetes.io' && key.slice(slash + 1).startsWith('ingress.');
}

/** parseBool follows ingress-nginx's parser: strconv.ParseBool, so "true", "1", "t", "TRUE" are true. */
function parseBool(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
  return undefined;
}

/** parseIngressAnnotations reads the annotations of an Ingress. */
export function parseIngressAnnotations(ing: Ingress): IngressAnnotations {
  const a = ing.metadata?.annotations ?? {};
  const unsupported: string[] = [];
  for (const key of Object.keys(a)) if (isControllerAnnotation(key) && !SUPPORTED.has(key)) unsupported.push(key);
  const proto = a[ANNOTATIONS.backendProtocol];
  if (proto !== undefined && proto.toUpperCase() !== 'HTTP') unsupported.push(`${ANNOTATIONS.backendProtocol}=${proto}`);
  const target = a[ANNOTATIONS.rewriteTarget];
  return {
    useRegex: parseBool(a[ANNOTATIONS.useRegex]) ?? false,
    rewriteTarget: target ? target : undefined,
    sslRedirect: parseBool(a[ANNOTATIONS.sslRedirect]),
    forceSslRedirect: parseBool(a[ANNOTATIONS.forceSslRedirect]) ?? false,
    unsupported: unsupported.sort(),
  };
}
