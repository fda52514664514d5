// SPDX-License-Identifier: Apache-2.0
/**
 * The fixture of controller unit tests, as sample-controller's: a fake
 * client preloaded with objects, informers synced from it, and helpers to
 * read the recorded writes. Tests build the controller, call sync(key)
 * directly and compare `writes()` with what upstream would send.
 */
import type { KubeObject } from '../api/index.js';
import { EventRecorder } from '../client/index.js';
// Test support: the fake client is not part of client's production surface.
import { FakeClient, type Action } from '../client/fake-client.js';
import { FakeClock } from '../client/fake-clock.js';
import { InformerFactory } from '../client/index.js';

/** Fixture holds one test's fake cluster. */
export interface Fixture {
  client: FakeClient;
  factory: InformerFactory;
  recorder: EventRecorder;
  clock: FakeClock;
  /** start syncs the informers made so far (create the controller first) and clears the recorded list/watch calls. */
  start(): Promise<void>;
  /** writes lists recorded writes other than Events, as `verb resource[/subresource] ns/name`. */
  writes(): string[];
  /** events lists the Events written, as `type reason message`. */
  events(): Promise<string[]>;
  /** settle lets informer watches deliver what the last calls changed. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

/** newFixture builds a Fixture over the given objects. */
export function newFixture(objects: KubeObject[], clock = new FakeClock(Date.now())): Fixture {
  const client = new FakeClient(objects);
  const factory = new InformerFactory(client, { clock });
  const recorder = new EventRecorder(client, 'test', { now: () => new Date(clock.now()) });
  const ac = new AbortController();
  return {
    client,
    factory,
    recorder,
    clock,
    async start() {
      factory.start(ac.signal);
      await factory.waitForSync();
      await settle();
      client.clearActions();
    },
    writes: () => client.mutations().filter((a) => a.resource !== 'events').map(describe),
    async events() {
      await recorder.flush();
      return client
        .objects({ group: '', version: 'v1', resource: 'events' })
        .map((e) => `${e.type} ${e.reason} ${e.message}`);
    },
    settle,
    async stop() {
      ac.abort();
      await factory.stopped();
    },
  };
}

function describe(a: Action): string {
  const what = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? `${a.namespace}/${a.name}` : a.name;
  return `${a.verb} ${what} ${where}`;
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}
