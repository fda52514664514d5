// SPDX-License-Identifier: Apache-2.0
/**
 * Validation of containers, as upstream's `pkg/apis/core/validation`
 * validateContainers / validateContainerCommon: names, images, ports, env,
 * volume mounts, probes and resource requirements, with upstream's paths and
 * messages.
 */
import type { Container, ContainerPort, EnvVar, Probe, ResourceRequirements, VolumeMount } from 'kubernetes-types/core/v1.js';
import { field, type FieldError } from '../../machinery/index.js';
import { isPlainObject } from '../../api/index.js';
import { isConfigMapKey, isDNS1123Label, isEnvVarName, isQualifiedName } from '../../api/index.js';
import { isValidPortName, isValidPortNum } from '../../api/index.js';
import { validateNonnegativeField, IS_NEGATIVE_ERROR_MSG } from '../../api/index.js';
import { tryParseQuantity, type Quantity } from '../../api/index.js';

/** validateDNS1123LabelField wraps each isDNS1123Label message in field.invalid. */
export function validateDNS1123LabelField(value: string, path: string): FieldError[] {
  return isDNS1123Label(value).map((m) => field.invalid(path, value, m));
}

/** validatePortNumOrName checks an int-or-string port: a number in range or an IANA port name. */
export function validatePortNumOrName(port: unknown, path: string): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => field.invalid(path, port, m));
  if (typeof port === 'string') return isValidPortName(port).map((m) => field.invalid(path, port, m));
  return [field.required(path, '')];
}

function validateContainerPorts(ports: ContainerPort[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((p, i) => {
    const at = `${path}[${i}]`;
    if (p.name) {
      const msgs = isValidPortName(p.name);
      if (msgs.length) errs.push(...msgs.map((m) => field.invalid(`${at}.name`, p.name, m)));
      else if (names.has(p.name)) errs.push(field.duplicate(`${at}.name`, p.name));
      else names.add(p.name);
    }
    if (!p.containerPort) errs.push(field.required(`${at}.containerPort`, ''));
    else errs.push(...isValidPortNum(p.containerPort).map((m) => field.invalid(`${at}.containerPort`, p.containerPort, m)));
    if (p.hostPort) errs.push(...isValidPortNum(p.hostPort).map((m) => field.invalid(`${at}.hostPort`, p.hostPort, m)));
    if (!p.protocol) errs.push(field.required(`${at}.protocol`, ''));
    else if (!['SCTP', 'TCP', 'UDP'].includes(p.protocol)) errs.push(field.notSupported(`${at}.protocol`, p.protocol, ['SCTP', 'TCP', 'UDP']));
  });
  return errs;
}

function validateKeySelector(sel: { name?: string; key?: string } | undefined, path: string): FieldError[] {
  if (!sel) return [];
  const errs: FieldError[] = [];
  if (!sel.name) errs.push(field.required(`${path}.name`, ''));
  if (!sel.key) errs.push(field.required(`${path}.key`, ''));
  else errs.push(...isConfigMapKey(sel.key).map((m) => field.invalid(`${path}.key`, sel.key, m)));
  return errs;
}

function validateEnvVarValueFrom(ev: EnvVar, path: string): FieldError[] {
  const from = ev.valueFrom;
  if (!from) return [];
  const sources = [from.fieldRef, from.resourceFieldRef, from.configMapKeyRef, from.secretKeyRef].filter((s) => s !== undefined && s !== null);
  const errs: FieldError[] = [];
  if (sources.length === 0) errs.push(field.invalid(path, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  else if (sources.length > 1) errs.push(field.invalid(path, '', 'may not have more than one field specified at a time'));
  if (ev.value && sources.length > 0) errs.push(field.invalid(path, '', 'may not be specified when `value` is not empty'));
  if (from.fieldRef && !from.fieldRef.fieldPath) errs.push(field.required(`${path}.fieldRef.fieldPath`, ''));
  if (from.resourceFieldRef && !from.resourceFieldRef.resource) errs.push(field.required(`${path}.resourceFieldRef.resource`, ''));
  errs.push(...validateKeySelector(from.configMapKeyRef, `${path}.configMapKeyRef`));
  errs.push(...validateKeySelector(from.secretKeyRef, `${path}.secretKeyRef`));
  return errs;
}

function validateEnv(env: EnvVar[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (env ?? []).forEach((ev, i) => {
    const at = `${path}[${i}]`;
    const name = typeof ev.name === 'string' ? ev.name : '';
    if (!name) errs.push(field.required(`${at}.name`, ''));
    errs.push(...isEnvVarName(name).map((m) => field.invalid(`${at}.name`, name, m)));
    errs.push(...validateEnvVarValueFrom(ev, `${at}.valueFrom`));
  });
  return errs;
}

function validateVolumeMounts(mounts: VolumeMount[] | undefined, volumes: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (mounts ?? []).forEach((m, i) => {
    const at = `${path}[${i}]`;
    if (!m.name) errs.push(field.required(`${at}.name`, ''));
    if (!volumes.has(m.name)) errs.push(field.notFound(`${at}.name`, m.name ?? ''));
    if (!m.mountPath) errs.push(field.required(`${at}.mountPath`, ''));
    if (seen.has(m.mountPath)) errs.push(field.invalid(`${at}.mountPath`, m.mountPath, 'must be unique'));
    seen.add(m.mountPath);
    if (m.subPath && (m.subPath.startsWith('/') || m.subPath.split('/').includes('..'))) {
      const why = m.subPath.startsWith('/') ? 'must be a relative path' : "must not contain '..'";
      errs.push(field.invalid(`${at}.subPath`, m.subPath, why));
    }
  });
  return errs;
}

const handlerKinds = ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'] as const;

/** validateHandler checks a probe or lifecycle handler: exactly one action, each well-formed. */
export function validateHandler(h: Record<string, unknown>, path: string, allowed: readonly string[] = handlerKinds): FieldError[] {
  const set = allowed.filter((k) => h[k] !== undefined && h[k] !== null);
  if (set.length === 0) return [field.required(path, 'must specify a handler type')];
  const errs: FieldError[] = set.slice(1).map((k) => field.forbidden(`${path}.${k}`, 'may not specify more than 1 handler type'));
  const exec = h.exec as { command?: string[] } | undefined;
  if (exec && !(exec.command ?? []).length) errs.push(field.required(`${path}.exec.command`, ''));
  const http = h.httpGet as { path?: string; port?: unknown; scheme?: string } | undefined;
  if (http) {
    if (!http.path) errs.push(field.required(`${path}.httpGet.path`, ''));
    errs.push(...validatePortNumOrName(http.port, `${path}.httpGet.port`));
    if (http.scheme && !['HTTP', 'HTTPS'].includes(http.scheme)) errs.push(field.notSupported(`${path}.httpGet.scheme`, http.scheme, ['HTTP', 'HTTPS']));
  }
  const tcp = h.tcpSocket as { port?: unknown } | undefined;
  if (tcp) errs.push(...validatePortNumOrName(tcp.port, `${path}.tcpSocket.port`));
  const grpc = h.grpc as { port?: unknown } | undefined;
  if (grpc && typeof grpc.port === 'number') errs.push(...isValidPortNum(grpc.port).map((m) => field.invalid(`${path}.grpc.port`, grpc.port, m)));
  return errs;
}

function validateProbe(p: Probe | undefined, path: string, mustSucceedOnce: boolean): FieldError[] {
  if (!isPlainObject(p)) return [];
  const errs = validateHandler(p as Record<string, unknown>, path, ['exec', 'httpGet', 'tcpSocket', 'grpc']);
  for (const k of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    errs.push(...validateNonnegativeField(p[k], `${path}.${k}`));
  }
  if (typeof p.terminationGracePeriodSeconds === 'number' && p.terminationGracePeriodSeconds <= 0) {
    errs.push(field.invalid(`${path}.terminationGracePeriodSeconds`, p.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  // Liveness and startup probes restart on failure, so one success must suffice.
  if (mustSucceedOnce && p.successThreshold !== undefined && p.successThreshold !== 1) {
    errs.push(field.invalid(`${path}.successThreshold`, p.successThreshold, 'must be 1'));
  }
  return errs;
}

const standardContainerResources = new Set(['cpu', 'memory', 'ephemeral-storage']);
/** Resources that cannot be overcommitted must have requests equal to limits (upstream IsOvercommitAllowed). */
function isOvercommitAllowed(name: string): boolean {
  return (standardContainerResources.has(name) || !name.includes('/')) && !name.startsWith('hugepages-');
}

function validateResourceEntry(name: string, value: unknown, path: string): { errs: FieldError[]; q?: Quantity } {
  const errs: FieldError[] = isQualifiedName(name).map((m) => field.invalid(path, name, m));
  if (!name.includes('/') && !standardContainerResources.has(name) && !name.startsWith('hugepages-')) {
    errs.push(field.invalid(path, name, 'must be a standard resource for containers'));
  }
  const q = tryParseQuantity(value);
  if (typeof q === 'string') return { errs: [...errs, field.invalid(path, value, q)] };
  if (q.sign() < 0) errs.push(field.invalid(path, q.toString(), IS_NEGATIVE_ERROR_MSG));
  // Extended resources and hugepages are counted in whole units.
  if ((name.includes('/') || name.startsWith('hugepages-')) && q.nano % 1_000_000_000n !== 0n) errs.push(field.invalid(path, q.toString(), 'must be an integer'));
  return { errs, q };
}

/** validateResourceRequirements checks limits and requests, and that each request fits its limit. */
export function validateResourceRequirements(r: ResourceRequirements | undefined, path: string): FieldError[] {
  if (!isPlainObject(r)) return [];
  const errs: FieldError[] = [];
  const limits = new Map<string, Quantity>();
  for (const [name, v] of Object.entries(r.limits ?? {})) {
    const { errs: e, q } = validateResourceEntry(name, v, `${path}.limits[${name}]`);
    errs.push(...e);
    if (q) limits.set(name, q);
  }
  for (const [name, v] of Object.entries(r.requests ?? {})) {
    const { errs: e, q } = validateResourceEntry(name, v, `${path}.requests[${name}]`);
    errs.push(...e);
    const lim = limits.get(name);
    if (!q || !lim) continue;
    if (q.cmp(lim) !== 0 && !isOvercommitAllowed(name)) {
      errs.push(field.invalid(`${path}.requests`, q.toString(), `must be equal to ${name} limit of ${lim.toString()}`));
    } else if (q.cmp(lim) > 0) {
      errs.push(field.invalid(`${path}.requests`, q.toString(), `must be less than or equal to ${name} limit of ${lim.toString()}`));
    }
  }
  return errs;
}

/** ContainerKind selects the rules that differ between regular and init containers. */
export type ContainerKind = 'regular' | 'init';

function validateContainerCommon(c: Container, volumes: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!c.name) errs.push(field.required(`${path}.name`, ''));
  else errs.push(...validateDNS1123LabelField(c.name, `${path}.name`));
  if (!c.image) errs.push(field.required(`${path}.image`, ''));
  const tmp = c.terminationMessagePolicy;
  if (!tmp) errs.push(field.required(`${path}.terminationMessagePolicy`, ''));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError') errs.push(field.notSupported(`${path}.terminationMessagePolicy`, tmp, ['File', 'FallbackToLogsOnError']));
  errs.push(...validateContainerPorts(c.ports, `${path}.ports`));
  errs.push(...validateEnv(c.env, `${path}.env`));
  errs.push(...validateVolumeMounts(c.volumeMounts, volumes, `${path}.volumeMounts`));
  const pp = c.imagePullPolicy;
  if (!pp) errs.push(field.required(`${path}.imagePullPolicy`, ''));
  else if (!['Always', 'IfNotPresent', 'Never'].includes(pp)) errs.push(field.notSupported(`${path}.imagePullPolicy`, pp, ['Always', 'IfNotPresent', 'Never']));
  errs.push(...validateResourceRequirements(c.resources, `${path}.resources`));
  return errs;
}

function validateLifecycle(c: Container, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of ['postStart', 'preStop'] as const) {
    const h = c.lifecycle?.[k];
    if (isPlainObject(h)) errs.push(...validateHandler(h, `${path}.lifecycle.${k}`));
  }
  return errs;
}

/**
 * validateContainers checks a list of regular or init containers. Names must
 * be unique across both lists (`seenNames` is shared by the caller).
 */
export function validateContainers(list: unknown, kind: ContainerKind, volumes: Set<string>, seenNames: Set<string>, path: string): FieldError[] {
  if (!Array.isArray(list) || list.length === 0) return kind === 'regular' ? [field.required(path, '')] : [];
  const errs: FieldError[] = [];
  list.forEach((raw, i) => {
    const at = `${path}[${i}]`;
    const c = (isPlainObject(raw) ? raw : {}) as unknown as Container;
    errs.push(...validateContainerCommon(c, volumes, at));
    if (c.name && seenNames.has(c.name)) errs.push(field.duplicate(`${at}.name`, c.name));
    else if (c.name) seenNames.add(c.name);
    const sidecar = kind === 'init' && c.restartPolicy === 'Always';
    if (kind === 'regular' || sidecar) {
      errs.push(...validateLifecycle(c, at));
      errs.push(...validateProbe(c.livenessProbe, `${at}.livenessProbe`, true));
      errs.push(...validateProbe(c.readinessProbe, `${at}.readinessProbe`, false));
      errs.push(...validateProbe(c.startupProbe, `${at}.startupProbe`, true));
    }
    if (kind === 'regular' && c.restartPolicy !== undefined) errs.push(field.forbidden(`${at}.restartPolicy`, 'may not be set for non-init containers'));
    if (kind === 'init' && !sidecar) {
      if (c.lifecycle) errs.push(field.forbidden(`${at}.lifecycle`, 'may not be set for init containers without restartPolicy=Always'));
      for (const k of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
        if (c[k]) errs.push(field.forbidden(`${at}.${k}`, 'may not be set for init containers without restartPolicy=Always'));
      }
      if (c.restartPolicy !== undefined) errs.push(field.notSupported(`${at}.restartPolicy`, c.restartPolicy, ['Always']));
    }
  });
  return errs;
}
