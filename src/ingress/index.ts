// SPDX-License-Identifier: Apache-2.0
/**
 * The built-in Ingress controller (networking.k8s.io/v1), compatible with
 * the ingress-nginx annotations tutorials use, with nginx as its data plane. Other components import only
 * this module.
 */
export { ingressController, IngressController, COMPONENT, type IngressControllerOptions } from './ingress-controller.js';
export { DEFAULT_CLASS_NAME, INGRESS_CONTROLLER, isOurIngress, newIngressClass } from './ingress-class.js';
export { readDataPlaneState, type DataPlaneState } from './nginx-data-plane.js';
/** INGRESS_DATA_DIR is the data plane's directory under a node's data dir. */
export const INGRESS_DATA_DIR = 'ingress';
export { buildRouteTable, RouteTable, type RouteMatch } from './route-table.js';
