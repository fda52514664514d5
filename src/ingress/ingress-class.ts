// SPDX-License-Identifier: Apache-2.0
/**
 * Which Ingresses are ours. Skiff's IngressClass is `skiff` (controller
 * `skiff.dev/ingress`), marked default with the annotation upstream's
 * DefaultIngressClass admission reads. Manifests written for ingress-nginx
 * name the class `nginx` (by `spec.ingressClassName` or the deprecated
 * `kubernetes.io/ingress.class` annotation); we serve those too, so the
 * tutorials' manifests work unchanged.
 */
import type { Ingress, IngressClass } from 'kubernetes-types/networking/v1.js';
import type { KubeObject } from '../api/index.js';

/** INGRESS_CONTROLLER is the spec.controller value of Skiff's IngressClass. */
export const INGRESS_CONTROLLER = 'skiff.dev/ingress';
/** DEFAULT_CLASS_NAME is the name of Skiff's IngressClass. */
export const DEFAULT_CLASS_NAME = 'skiff';
/** IS_DEFAULT_CLASS_ANNOTATION marks the cluster's default IngressClass (networking.k8s.io/v1 IngressClass docs). */
export const IS_DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
/** INGRESS_CLASS_ANNOTATION is the deprecated per-Ingress class annotation, still read by ingress-nginx. */
export const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
/** NGINX_CLASS_NAME is ingress-nginx's class name, which we treat as ours. */
export const NGINX_CLASS_NAME = 'nginx';

/** IngressObj and IngressClassObj are the typed shapes with KubeObject's writable metadata. */
export type IngressObj = KubeObject & Ingress;
export type IngressClassObj = KubeObject & IngressClass;

/** newIngressClass is the IngressClass Skiff creates on start, marked as the default class. */
export function newIngressClass(name: string = DEFAULT_CLASS_NAME): IngressClassObj {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name, annotations: { [IS_DEFAULT_CLASS_ANNOTATION]: 'true' } },
    spec: { controller: INGRESS_CONTROLLER },
  };
}

/** isDefaultClass reads the is-default-class annotation as upstream does (only the exact string "true"). */
export function isDefaultClass(c: IngressClass): boolean {
  return c.metadata?.annotations?.[IS_DEFAULT_CLASS_ANNOTATION] === 'true';
}

/**
 * isOurIngress decides whether this controller serves an Ingress. As in
 * ingress-nginx, the annotation wins over spec.ingressClassName when both
 * are set. An Ingress naming no class is ours when our class is a default
 * class, or when no class is marked default at all (so a bare manifest on a
 * fresh cluster works before the class exists).
 */
export function isOurIngress(ing: Ingress, classes: readonly IngressClass[], ourClass: string = DEFAULT_CLASS_NAME): boolean {
  const annotated = ing.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION];
  if (annotated !== undefined) return annotated === ourClass || annotated === NGINX_CLASS_NAME;
  const name = ing.spec?.ingressClassName;
  if (name) {
    if (name === ourClass || name === NGINX_CLASS_NAME) return true;
    return classes.some((c) => c.metadata?.name === name && c.spec?.controller === INGRESS_CONTROLLER);
  }
  const defaults = classes.filter(isDefaultClass);
  return defaults.length === 0 || defaults.some((c) => c.spec?.controller === INGRESS_CONTROLLER);
}
