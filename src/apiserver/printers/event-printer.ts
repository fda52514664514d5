// SPDX-License-Identifier: Apache-2.0
/**
 * The Event table: LAST SEEN TYPE REASON OBJECT MESSAGE, wide SUBOBJECT
 * SOURCE FIRST SEEN COUNT NAME, as upstream's printEvent. Upstream prints
 * core/v1 and events.k8s.io/v1 Events from one internal type, so an
 * events.k8s.io object is first read into the core field names.
 */
import type { Event, EventSource, ObjectReference } from 'kubernetes-types/core/v1.js';
import type { Event as EventsV1Event } from 'kubernetes-types/events/v1.js';
import type { KubeObject } from '../../api/index.js';
import type { TableCell, TableConvertor } from './table.js';
import { column, nameColumn } from './columns.js';
import { parseTime, timeSince } from './duration.js';

const columns = [
  column('Last Seen', 'string', 'Time since the event was last observed.'),
  column('Type', 'string', 'Normal or Warning.'),
  column('Reason', 'string', 'Short machine-readable reason for the event.'),
  column('Object', 'string', 'The object the event is about, as kind/name.'),
  column('Subobject', 'string', 'Field path of the part of the object the event is about.', 1),
  column('Source', 'string', 'Component (and host) that reported the event.', 1),
  column('Message', 'string', 'Human-readable description of the event.'),
  column('First Seen', 'string', 'Time since the event was first observed.', 1),
  column('Count', 'string', 'Number of times the event has occurred.', 1),
  nameColumn(1),
];

/** eventTableConvertor prints core/v1 and events.k8s.io/v1 Events as upstream's printEvent. */
export const eventTableConvertor: TableConvertor = {
  columns,
  row(obj: KubeObject, now: Date): TableCell[] {
    const ev = asCoreEvent(obj);
    const eventTime = ev.eventTime as string | undefined;
    const firstSeen = parseTime(ev.firstTimestamp) !== undefined ? timeSince(ev.firstTimestamp, now) : timeSince(eventTime, now);
    let lastSeen = parseTime(ev.lastTimestamp) !== undefined ? timeSince(ev.lastTimestamp, now) : firstSeen;
    let count = ev.count ?? 0;
    if (ev.series) {
      lastSeen = timeSince(ev.series.lastObservedTime as string | undefined, now);
      count = ev.series.count ?? 0;
    } else if (count === 0) {
      // Singleton events of the new API carry no count.
      count = 1;
    }
    const kind = (ev.involvedObject?.kind ?? '').toLowerCase();
    const target = ev.involvedObject?.name ? `${kind}/${ev.involvedObject.name}` : kind;
    return [
      lastSeen,
      ev.type ?? '',
      ev.reason ?? '',
      target,
      ev.involvedObject?.fieldPath ?? '',
      eventSource(ev.source, ev.reportingComponent, ev.reportingInstance),
      (ev.message ?? '').trim(),
      firstSeen,
      count,
      ev.metadata?.name ?? '',
    ];
  },
};

/** asCoreEvent reads an events.k8s.io/v1 Event into core/v1 field names; a core Event is returned as is. */
function asCoreEvent(obj: KubeObject): Event {
  const ev = obj as unknown as Event & Partial<EventsV1Event>;
  if (ev.involvedObject || !(ev.regarding || ev.note !== undefined || ev.apiVersion === 'events.k8s.io/v1')) return ev;
  return {
    metadata: ev.metadata ?? {},
    involvedObject: (ev.regarding ?? {}) as ObjectReference,
    message: ev.note,
    reason: ev.reason,
    type: ev.type,
    firstTimestamp: ev.deprecatedFirstTimestamp,
    lastTimestamp: ev.deprecatedLastTimestamp,
    count: ev.deprecatedCount,
    source: ev.deprecatedSource,
    eventTime: ev.eventTime,
    series: ev.series ? { count: ev.series.count, lastObservedTime: ev.series.lastObservedTime } : undefined,
    reportingComponent: ev.reportingController,
    reportingInstance: ev.reportingInstance,
  };
}

/** eventSource is `component, host`, falling back to reportingController and reportingInstance. */
function eventSource(source: EventSource | undefined, controller: string | undefined, instance: string | undefined): string {
  const component = source?.component || controller || '';
  const host = source?.host || instance || '';
  return host ? `${component}, ${host}` : component;
}
