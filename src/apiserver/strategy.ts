// SPDX-License-Identifier: Apache-2.0
/**
 * ResourceStrategy is what makes one kind behave as upstream on create and
 * update: defaulting, validation, and what an update of the main resource or
 * of its status may change (upstream's rest.RESTCreateStrategy /
 * RESTUpdateStrategy). The generic pipeline (src/apiserver/registry) does
 * everything common to all kinds: metadata validation and defaulting
 * (name, generateName, uid, creationTimestamp, generation bump on spec
 * change), status reset on create when a status subresource exists, and
 * resourceVersion checks. A strategy only adds what is particular to a kind.
 */
import type { FieldError } from '../machinery/index.js';
import type { KubeObject } from '../api/index.js';
import type { RequestContext } from './registry/request-context.js';

export interface ResourceStrategy {
  /**
   * default fills unset fields exactly as upstream's SetDefaults_* for this
   * kind (and its nested pod template, containers, ports...). Runs on create
   * and on update, before validation; must be idempotent.
   */
  default?(obj: KubeObject): void;
  /**
   * prepareForCreate clears or sets fields the client may not set on create
   * (beyond the generic status reset); some record the requester from ctx
   * (a CertificateSigningRequest's spec.username, as upstream).
   */
  prepareForCreate?(obj: KubeObject, ctx?: RequestContext): void;
  /**
   * prepareForUpdate adjusts an update of the main resource, e.g. keeping
   * fields the main endpoint may not change. The generic pipeline has already
   * copied the old status over when the kind has a status subresource.
   */
  prepareForUpdate?(obj: KubeObject, old: KubeObject): void;
  /** validate checks a new object (upstream ValidateX); metadata is checked generically. */
  validate?(obj: KubeObject): FieldError[];
  /** validateUpdate checks an update (upstream ValidateXUpdate): immutable fields and the like. validate() runs too. */
  validateUpdate?(obj: KubeObject, old: KubeObject): FieldError[];
  /**
   * prepareForStatusUpdate adjusts a write to the status subresource (custom
   * resources prune and default it) or another status-like one (`approval`
   * of CertificateSigningRequests), after the generic pipeline took the
   * requested status over the old object.
   */
  prepareForStatusUpdate?(obj: KubeObject, old: KubeObject, subresource?: string): void;
  /** validateStatusUpdate checks a write to the status subresource (or another status-like one, named). */
  validateStatusUpdate?(obj: KubeObject, old: KubeObject, subresource?: string): FieldError[];
  /**
   * warnings returns the `Warning:` headers upstream sends for this object
   * (deprecated fields and the like); optional.
   */
  warnings?(obj: KubeObject, old?: KubeObject): string[];
  /**
   * subresources are the strategies of writable subresources other than
   * status (pods/ephemeralcontainers), each with its own rules, as upstream
   * gives such a subresource its own REST strategy.
   */
  subresources?: Readonly<Record<string, SubresourceStrategy>>;
}

/** SubresourceStrategy decides what a write to one subresource changes and whether it is valid. */
export interface SubresourceStrategy {
  /** prepareForUpdate builds the object to store from the stored one and the request. */
  prepareForUpdate(requested: KubeObject, old: KubeObject): KubeObject;
  /** validateUpdate checks the object prepareForUpdate built. */
  validateUpdate(next: KubeObject, old: KubeObject): FieldError[];
}
