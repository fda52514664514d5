// SPDX-License-Identifier: Apache-2.0
/**
 * The protobuf message tables of every API group version this server
 * decodes, compiled once at load, and the map from apiVersion/kind to the
 * message of a top-level object. Field numbers and types are the wire
 * interface of k8s.io/api and k8s.io/apimachinery at Kubernetes 1.32.
 */
import { parseMessageSpec, type MessageSpec, type SchemaPackage } from './field-spec.js';
import { ADMISSIONREGISTRATION_V1 } from './admissionregistration-v1.js';
import { APIREGISTRATION_V1 } from './apiregistration-v1.js';
import { APPS_V1 } from './apps-v1.js';
import { AUTHENTICATION_V1 } from './authentication-v1.js';
import { AUTHORIZATION_V1 } from './authorization-v1.js';
import { AUTOSCALING_V1 } from './autoscaling-v1.js';
import { AUTOSCALING_V2 } from './autoscaling-v2.js';
import { BATCH_V1 } from './batch-v1.js';
import { CERTIFICATES_V1 } from './certificates-v1.js';
import { COORDINATION_V1 } from './coordination-v1.js';
import { CORE_V1 } from './core-v1.js';
import { DISCOVERY_V1 } from './discovery-v1.js';
import { EVENTS_V1 } from './events-v1.js';
import { META_V1 } from './meta-v1.js';
import { NETWORKING_V1 } from './networking-v1.js';
import { NODE_V1 } from './node-v1.js';
import { POLICY_V1 } from './policy-v1.js';
import { RBAC_V1 } from './rbac-v1.js';
import { SCHEDULING_V1 } from './scheduling-v1.js';
import { STORAGE_V1 } from './storage-v1.js';

export type { FieldSpec, FieldType, MessageSpec, Presence, ScalarType, SchemaPackage, SpecialType } from './field-spec.js';

/** SCHEMA_PACKAGES lists every message table, one per group version. */
export const SCHEMA_PACKAGES: readonly SchemaPackage[] = [
  META_V1, CORE_V1, APPS_V1, BATCH_V1, NETWORKING_V1, AUTOSCALING_V1, AUTOSCALING_V2, POLICY_V1, RBAC_V1,
  SCHEDULING_V1, COORDINATION_V1, DISCOVERY_V1, STORAGE_V1, EVENTS_V1, AUTHENTICATION_V1, AUTHORIZATION_V1, CERTIFICATES_V1,
  APIREGISTRATION_V1, ADMISSIONREGISTRATION_V1, NODE_V1,
];

/** MESSAGES maps a qualified message name (`core.PodSpec`) to its fields. */
export const MESSAGES: ReadonlyMap<string, MessageSpec> = compileMessages(SCHEMA_PACKAGES);

const kindMessages = new Map<string, string>();
for (const p of SCHEMA_PACKAGES) {
  for (const kind of p.kinds) kindMessages.set(`${p.apiVersion}/${kind}`, `${p.pkg}.${kind}`);
}

/**
 * messageForKind names the message of a top-level object, or undefined when
 * there is no table for it. DeleteOptions is registered in every group
 * version upstream (a typed client's Delete encodes it with the group
 * version of the resource), so it is accepted under any apiVersion.
 */
export function messageForKind(apiVersion: string, kind: string): string | undefined {
  if (kind === 'DeleteOptions') return 'meta.DeleteOptions';
  return kindMessages.get(`${apiVersion}/${kind}`);
}

function compileMessages(packages: readonly SchemaPackage[]): Map<string, MessageSpec> {
  const out = new Map<string, MessageSpec>();
  for (const p of packages) {
    for (const [name, text] of Object.entries(p.messages)) out.set(`${p.pkg}.${name}`, parseMessageSpec(p.pkg, text));
  }
  // A dangling reference would only surface when a client sends that field;
  // refuse it at load time instead.
  for (const [name, spec] of out) {
    for (const f of spec.values()) {
      if ('message' in f.type && !out.has(f.type.message)) throw new Error(`protobuf schema: ${name} field ${f.number} refers to unknown message ${f.type.message}`);
    }
  }
  return out;
}
