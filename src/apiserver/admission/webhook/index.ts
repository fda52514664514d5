// SPDX-License-Identifier: Apache-2.0
/** Admission webhooks (admissionregistration.k8s.io/v1 Mutating and ValidatingWebhookConfigurations). */
export { mutatingAdmissionWebhook, validatingAdmissionWebhook } from './plugin.js';
export { mutatingWebhookConfigurationStrategy, validatingWebhookConfigurationStrategy } from './configuration.js';
export { registryEnvironment, type AdmissionEnvironment } from './environment.js';
export { postJSON, CallError, type ServiceResolver } from './client.js';
