// SPDX-License-Identifier: Apache-2.0
/**
 * The Event strategy for core/v1 and events.k8s.io/v1 Events, as upstream's
 * legacyValidateEvent: the involved object's namespace must match the
 * event's, and events with an eventTime need reporting fields.
 */
import { field, type FieldError } from '../../machinery/index.js';
import { isPlainObject, type KubeObject } from '../../api/index.js';
import { isQualifiedName } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';

function validateCoreEvent(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const involved = isPlainObject(obj.involvedObject) ? obj.involvedObject : {};
  const ns = obj.metadata.namespace ?? '';
  const invNs = typeof involved.namespace === 'string' ? involved.namespace : '';
  if (!obj.eventTime) {
    // Old-style events: an event about a cluster-scoped object lives in "default" (or nowhere).
    const ok = invNs ? ns === invNs : ns === '' || ns === 'default';
    if (!ok) errs.push(field.invalid('involvedObject.namespace', invNs, 'does not match event.namespace'));
    return errs;
  }
  if (!invNs && ns !== 'default' && ns !== 'kube-system') errs.push(field.invalid('involvedObject.namespace', invNs, 'does not match event.namespace'));
  const rc = typeof obj.reportingComponent === 'string' ? obj.reportingComponent : '';
  if (!rc) errs.push(field.required('reportingComponent', ''));
  errs.push(...isQualifiedName(rc).map((m) => field.invalid('reportingComponent', rc, m)));
  if (!obj.reportingInstance) errs.push(field.required('reportingInstance', ''));
  if (!obj.action) errs.push(field.required('action', ''));
  if (!obj.reason) errs.push(field.required('reason', ''));
  return errs;
}

function validateEventsV1(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (!obj.eventTime) errs.push(field.required('eventTime', ''));
  if (obj.type !== 'Normal' && obj.type !== 'Warning') errs.push(field.invalid('type', obj.type ?? '', `has invalid value: ${String(obj.type ?? '')}`));
  const rc = typeof obj.reportingController === 'string' ? obj.reportingController : '';
  if (!rc) errs.push(field.required('reportingController', ''));
  if (!obj.reportingInstance) errs.push(field.required('reportingInstance', ''));
  if (!obj.action) errs.push(field.required('action', ''));
  if (!obj.reason) errs.push(field.required('reason', ''));
  return errs;
}

/** eventStrategy is the ResourceStrategy of Events, choosing the rules by apiVersion. */
export const eventStrategy: ResourceStrategy = {
  validate: (obj) => (obj.apiVersion === 'events.k8s.io/v1' ? validateEventsV1(obj) : validateCoreEvent(obj)),
};
