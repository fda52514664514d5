// SPDX-License-Identifier: Apache-2.0
/**
 * Names several components must agree on, defined once: the apiserver's
 * admission writes them into objects that controllers and the kubelet read.
 */

/** ROOT_CA_CONFIGMAP is the ConfigMap the root CA publisher keeps in every namespace and every kube-api-access volume projects (upstream RootCACertConfigMapName). */
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';

/** MIRROR_POD_ANNOTATION marks the API copy of a static pod (upstream ConfigMirrorAnnotationKey). */
export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
