// SPDX-License-Identifier: Apache-2.0
/**
 * Protobuf field table of events.k8s.io/v1 (Kubernetes 1.32): only the messages reachable
 * from the kinds this server decodes. Notation is described in ./field-spec.ts.
 */
import type { SchemaPackage } from './field-spec.js';

/** EVENTS_V1 lists the events.k8s.io/v1 messages by name, in the notation of field-spec.ts. */
export const EVENTS_V1: SchemaPackage = {
  pkg: 'events',
  apiVersion: 'events.k8s.io/v1',
  kinds: ['Event'],
  messages: {
    Event:
      'metadata=1:meta.ObjectMeta! eventTime=2:microtime! series=3:EventSeries? reportingController=4:string ' +
      'reportingInstance=5:string action=6:string reason=7:string regarding=8:core.ObjectReference ' +
      'related=9:core.ObjectReference? note=10:string type=11:string deprecatedSource=12:core.EventSource ' +
      'deprecatedFirstTimestamp=13:time deprecatedLastTimestamp=14:time deprecatedCount=15:int32',
    EventSeries: 'count=1:int32! lastObservedTime=2:microtime!',
  },
};
