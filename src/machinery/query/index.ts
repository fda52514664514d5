// SPDX-License-Identifier: Apache-2.0
/** Query parameter decoding shared by the API server and the kubelet, with upstream's semantics. */
export { QueryParameterError, parseGoBool, queryBool, queryInt, queryOptionalBool, queryString, wantsPretty } from './query-parameters.js';
