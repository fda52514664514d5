// SPDX-License-Identifier: Apache-2.0
/**
 * The fields each kind can be selected by, and how their values are read,
 * as upstream defines them twice: the field label conversion functions say
 * which labels a request may use (pkg/apis/core/v1/conversion.go,
 * pkg/apis/batch/v1/conversion.go, runtime.DefaultMetaV1FieldSelectorConversion
 * for everything else) and each registry strategy's GetAttrs says what
 * value a label has (pkg/registry/core/pod/strategy.go ToSelectableFields, ...).
 * Values are strings: booleans `true`/`false`, numbers in decimal, absent ''.
 */

type Obj = Record<string, unknown>;
type Extractor = (o: Obj) => string;

/** SelectableKind describes the field selectors of one kind. */
export interface SelectableKind {
  readonly fields: Readonly<Record<string, Extractor>>;
  /** Old spellings converted to the current label (pods accept `spec.host` for `spec.nodeName`). */
  readonly aliases?: Readonly<Record<string, string>>;
  /** The error text for a label the kind does not support; each API group words it differently. */
  readonly unsupported: (label: string, kind: string) => string;
}

/** read follows a dotted path through nested objects. */
function read(o: unknown, path: string): unknown {
  let cur = o;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Obj)[part];
  }
  return cur;
}

/** fieldString renders a value as GetAttrs does: strings as is, bools and numbers formatted, absent as ''. */
export function fieldString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  return '';
}

const at = (path: string): Extractor => (o) => fieldString(read(o, path));
const countAt = (path: string): Extractor => (o) => fieldString(read(o, path) ?? 0);
const flagAt = (path: string): Extractor => (o) => String(read(o, path) === true);

const objectMeta = { 'metadata.name': at('metadata.name'), 'metadata.namespace': at('metadata.namespace') };
const coreUnsupported = (label: string) => `field label not supported: ${label}`;
const batchUnsupported = (label: string, kind: string) => `field label ${JSON.stringify(label)} not supported for ${JSON.stringify(kind)}`;

/** podIP is the first of status.podIPs, as the pod strategy reads it, falling back to the singular field. */
const podIP: Extractor = (o) => {
  const ips = read(o, 'status.podIPs');
  const first = Array.isArray(ips) ? read(ips[0], 'ip') : undefined;
  return fieldString(first ?? read(o, 'status.podIP'));
};

/** eventSource is source.component, or the reporting controller for events that only carry that. */
const eventSource: Extractor = (o) => fieldString(read(o, 'source.component')) || fieldString(read(o, 'reportingComponent'));

const involvedObject = Object.fromEntries(
  ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'].map((f) => [`involvedObject.${f}`, at(`involvedObject.${f}`)]),
);

const jobFields: SelectableKind = { fields: { ...objectMeta, 'status.successful': countAt('status.succeeded') }, unsupported: batchUnsupported };

/** BY_GROUP_KIND lists kinds with more than the default fields, keyed `group/Kind` ('' for core). */
const BY_GROUP_KIND: Record<string, SelectableKind> = {
  '/Pod': {
    fields: {
      ...objectMeta,
      'spec.nodeName': at('spec.nodeName'),
      'spec.restartPolicy': at('spec.restartPolicy'),
      'spec.schedulerName': at('spec.schedulerName'),
      'spec.serviceAccountName': at('spec.serviceAccountName'),
      'spec.hostNetwork': flagAt('spec.hostNetwork'),
      'status.phase': at('status.phase'),
      'status.podIP': podIP,
      'status.nominatedNodeName': at('status.nominatedNodeName'),
    },
    aliases: { 'spec.host': 'spec.nodeName' },
    unsupported: coreUnsupported,
  },
  // Cluster-scoped core kinds do not accept metadata.namespace upstream.
  '/Node': { fields: { 'metadata.name': at('metadata.name'), 'spec.unschedulable': flagAt('spec.unschedulable') }, unsupported: coreUnsupported },
  '/Namespace': { fields: { 'metadata.name': at('metadata.name'), 'status.phase': at('status.phase') }, unsupported: coreUnsupported },
  '/ReplicationController': { fields: { ...objectMeta, 'status.replicas': countAt('status.replicas') }, unsupported: coreUnsupported },
  '/Secret': { fields: { ...objectMeta, type: at('type') }, unsupported: coreUnsupported },
  '/Service': { fields: { ...objectMeta, 'spec.clusterIP': at('spec.clusterIP'), 'spec.type': at('spec.type') }, unsupported: coreUnsupported },
  '/Event': {
    fields: {
      ...objectMeta,
      ...involvedObject,
      reason: at('reason'),
      reportingComponent: at('reportingComponent'),
      source: eventSource,
      type: at('type'),
    },
    unsupported: coreUnsupported,
  },
  'batch/Job': jobFields,
  'batch/CronJob': jobFields,
};

const DEFAULT_KIND: SelectableKind = {
  fields: objectMeta,
  unsupported: (label) => `${JSON.stringify(label)} is not a known field selector: only "metadata.name", "metadata.namespace"`,
};

/** selectableKind returns the field-selector description of a kind. */
export function selectableKind(group: string, kind: string): SelectableKind {
  return BY_GROUP_KIND[`${group}/${kind}`] ?? DEFAULT_KIND;
}

/** fieldsSupportedFor lists the field labels a kind can be selected by. */
export function fieldsSupportedFor(group: string, kind: string): string[] {
  return Object.keys(selectableKind(group, kind).fields);
}

/**
 * selectableFields computes an object's selectable field values (upstream's
 * GetAttrs field set), for matching and for indexing caches by field.
 */
export function selectableFields(group: string, kind: string, obj: Obj): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [label, extract] of Object.entries(selectableKind(group, kind).fields)) out[label] = extract(obj);
  return out;
}

/** fieldValue reads one field label of an object: the kind's extractor, or a dotted-path read for other labels. */
export function fieldValue(group: string, kind: string, obj: Obj, label: string): string {
  const extract = selectableKind(group, kind).fields[label];
  return extract ? extract(obj) : fieldString(read(obj, label));
}
