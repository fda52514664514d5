// SPDX-License-Identifier: Apache-2.0
/** The root CA certificate publisher (kube-controller-manager's root-ca-cert-publisher): kube-root-ca.crt in every namespace. */
export { RootCACertPublisher, DESCRIPTION, DESCRIPTION_ANNOTATION, type RootCACertPublisherOptions } from './publisher.js';
