// SPDX-License-Identifier: Apache-2.0
/**
 * The built-in Ingress controller (networking.k8s.io/v1), compatible with
 * the ingress-nginx annotations tutorials use. Other components import only
 * this module.
 */
export { ingressController, IngressController, COMPONENT, type IngressControllerOptions } from './ingress-controller.js';
export { DEFAULT_CLASS_NAME, INGRESS_CONTROLLER, isOurIngress, newIngressClass } from './ingress-class.js';
export { buildRouteTable, RouteTable, type RouteMatch } from './route-table.js';
