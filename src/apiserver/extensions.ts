// SPDX-License-Identifier: Apache-2.0
/**
 * API extensions: groups served by code rather than by stored objects
 * (metrics.k8s.io, authentication.k8s.io reviews, authorization.k8s.io
 * access reviews), the in-process equivalent of upstream's aggregated and
 * virtual resources. Each appears in discovery and gets its own requests.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceRequestInfo } from './http/request-info.js';
import type { UserInfo } from './registry/request-context.js';

export interface ExtensionResource {
  /** Plural name in URLs. */
  name: string;
  singularName: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
}

export interface APIExtension {
  group: string;
  version: string;
  resources: ExtensionResource[];
  /** handle serves a request for one of `resources`; errors become Status answers. */
  handle(req: IncomingMessage, res: ServerResponse, info: ResourceRequestInfo, query: URLSearchParams, user: UserInfo): Promise<void>;
}
