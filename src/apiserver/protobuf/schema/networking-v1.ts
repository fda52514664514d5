// SPDX-License-Identifier: Apache-2.0
/**
 * Protobuf field table of networking.k8s.io/v1 (Kubernetes 1.32): only the messages reachable
 * from the kinds this server decodes. Notation is described in ./field-spec.ts.
 */
import type { SchemaPackage } from './field-spec.js';

/** NETWORKING_V1 lists the networking.k8s.io/v1 messages by name, in the notation of field-spec.ts. */
export const NETWORKING_V1: SchemaPackage = {
  pkg: 'networking',
  apiVersion: 'networking.k8s.io/v1',
  kinds: ['Ingress', 'IngressClass', 'NetworkPolicy'],
  messages: {
    HTTPIngressPath: 'path=1:string pathType=3:string? backend=2:IngressBackend!',
    HTTPIngressRuleValue: 'paths=1:[]HTTPIngressPath',
    Ingress: 'metadata=1:meta.ObjectMeta spec=2:IngressSpec status=3:IngressStatus',
    IngressBackend: 'service=4:IngressServiceBackend? resource=3:core.TypedLocalObjectReference?',
    IngressClass: 'metadata=1:meta.ObjectMeta spec=2:IngressClassSpec',
    IngressClassParametersReference:
      'apiGroup=1:string? kind=2:string! name=3:string! scope=4:string? namespace=5:string?',
    IngressClassSpec: 'controller=1:string parameters=2:IngressClassParametersReference?',
    IngressLoadBalancerIngress: 'ip=1:string hostname=2:string ports=4:[]IngressPortStatus',
    IngressLoadBalancerStatus: 'ingress=1:[]IngressLoadBalancerIngress',
    IngressPortStatus: 'port=1:int32! protocol=2:string! error=3:string?',
    IngressRule: 'host=1:string *=2:IngressRuleValue!',
    IngressRuleValue: 'http=1:HTTPIngressRuleValue?',
    IngressServiceBackend: 'name=1:string! port=2:ServiceBackendPort',
    IngressSpec:
      'ingressClassName=4:string? defaultBackend=1:IngressBackend? tls=2:[]IngressTLS rules=3:[]IngressRule',
    IngressStatus: 'loadBalancer=1:IngressLoadBalancerStatus',
    IngressTLS: 'hosts=1:[]string secretName=2:string',
    IPBlock: 'cidr=1:string! except=2:[]string',
    NetworkPolicy: 'metadata=1:meta.ObjectMeta spec=2:NetworkPolicySpec',
    NetworkPolicyEgressRule: 'ports=1:[]NetworkPolicyPort to=2:[]NetworkPolicyPeer',
    NetworkPolicyIngressRule: 'ports=1:[]NetworkPolicyPort from=2:[]NetworkPolicyPeer',
    NetworkPolicyPeer:
      'podSelector=1:meta.LabelSelector? namespaceSelector=2:meta.LabelSelector? ipBlock=3:IPBlock?',
    NetworkPolicyPort: 'protocol=1:string? port=2:intorstring? endPort=3:int32?',
    NetworkPolicySpec:
      'podSelector=1:meta.LabelSelector! ingress=2:[]NetworkPolicyIngressRule ' +
      'egress=3:[]NetworkPolicyEgressRule policyTypes=4:[]string',
    ServiceBackendPort: 'name=1:string number=2:int32',
  },
};
