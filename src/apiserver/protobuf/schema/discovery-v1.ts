// SPDX-License-Identifier: Apache-2.0
/**
 * Protobuf field table of discovery.k8s.io/v1 (Kubernetes 1.32): only the messages reachable
 * from the kinds this server decodes. Notation is described in ./field-spec.ts.
 */
import type { SchemaPackage } from './field-spec.js';

/** DISCOVERY_V1 lists the discovery.k8s.io/v1 messages by name, in the notation of field-spec.ts. */
export const DISCOVERY_V1: SchemaPackage = {
  pkg: 'discovery',
  apiVersion: 'discovery.k8s.io/v1',
  kinds: ['EndpointSlice'],
  messages: {
    Endpoint:
      'addresses=1:[]string conditions=2:EndpointConditions hostname=3:string? ' +
      'targetRef=4:core.ObjectReference? deprecatedTopology=5:{string} nodeName=6:string? zone=7:string? ' +
      'hints=8:EndpointHints?',
    EndpointConditions: 'ready=1:bool? serving=2:bool? terminating=3:bool?',
    EndpointHints: 'forZones=1:[]ForZone',
    EndpointPort: 'name=1:string? protocol=2:string? port=3:int32? appProtocol=4:string?',
    EndpointSlice:
      'metadata=1:meta.ObjectMeta addressType=4:string! endpoints=2:[]Endpoint ports=3:[]EndpointPort',
    ForZone: 'name=1:string!',
  },
};
