// SPDX-License-Identifier: Apache-2.0
/** ValidatingAdmissionPolicy and its bindings (admissionregistration.k8s.io/v1): CEL validation in admission. */
export { validatingAdmissionPolicy } from './plugin.js';
export { validatingAdmissionPolicyStrategy, validatingAdmissionPolicyBindingStrategy } from './policy-validation.js';
