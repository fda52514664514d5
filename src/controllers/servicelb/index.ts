// SPDX-License-Identifier: Apache-2.0
/** servicelb: LoadBalancer Services published at the nodes' addresses (k3s ServiceLB). */
export { ServiceLBController, ingressIPs, nodeAddresses, type ServiceLBControllerOptions } from './servicelb-controller.js';
