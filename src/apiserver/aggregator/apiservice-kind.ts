// SPDX-License-Identifier: Apache-2.0
/** What the APIService row of the resource table is joined with in src/apiserver/definitions/builtin.ts. */
export { apiServiceStrategy } from './apiservice-strategy.js';
export { apiServiceTableConvertor } from './apiservice-printer.js';
export { API_SERVICE_OPENAPI } from './apiservice-openapi.js';
