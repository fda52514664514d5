// SPDX-License-Identifier: Apache-2.0
/** The table of node.k8s.io's RuntimeClass, as upstream's printRuntimeClass prints it. */
import type { RuntimeClass } from 'kubernetes-types/node/v1.js';
import { age, ageColumn, column, nameColumn, printer } from './columns.js';

// Upstream describes the column with the field's API documentation (SwaggerDoc()["handler"]).
const HANDLER_DESCRIPTION =
  'handler specifies the underlying runtime and configuration that the CRI implementation will use to handle pods of this class. The possible values are specific to the node & CRI configuration.  It is assumed that all handlers are available on every node, and handlers of the same name are equivalent on every node. For example, a handler called "runc" might specify that the runc OCI runtime (using native Linux containers) will be used to run the containers in a pod. The Handler must be lowercase, conform to the DNS Label (RFC 1123) requirements, and is immutable.';

/** runtimeClassTableConvertor: NAME HANDLER AGE. */
export const runtimeClassTableConvertor = printer<RuntimeClass>(
  [nameColumn(), column('Handler', 'string', HANDLER_DESCRIPTION), ageColumn()],
  (rc, now) => [rc.metadata?.name ?? '', rc.handler ?? '', age(rc, now)],
);
