// SPDX-License-Identifier: Apache-2.0
/**
 * The lifecycle every long-running part of Skiff shares. It sits at the
 * bottom layer so components implement it without importing the server
 * that composes them (the composition root depends on them, not back).
 */
import { setMaxListeners } from 'node:events';

/** Component is anything the server starts after the API is up and stops before it goes down. */
export interface Component {
  name: string;
  start(signal: AbortSignal): Promise<void>;
  stop?(): Promise<void>;
}

/** Startable is a part with its own start/stop, such as a controller or a proxy. */
export interface Startable {
  start(signal: AbortSignal): Promise<void>;
  stop?(): Promise<void>;
}

/** asComponent names a part for the server and keeps the part reachable (tests and callers read its state). */
export function asComponent<T extends Startable>(name: string, instance: T): Component & { instance: T } {
  return { name, instance, start: (signal) => instance.start(signal), stop: async () => instance.stop?.() };
}

/**
 * ComponentLifecycle is the start/stop plumbing components used to write by
 * hand: a signal of the component's own, aborted by stop() or when the
 * server's signal fires, with room for as many listeners as its informers,
 * queues and timers add.
 */
export class ComponentLifecycle {
  #abort?: AbortController;

  /** begin starts a run following `parent`; the returned signal ends it. */
  begin(parent: AbortSignal): AbortSignal {
    const abort = (this.#abort = new AbortController());
    // Informers, queues and timers each listen on this signal; that many listeners is expected, not a leak.
    setMaxListeners(0, abort.signal);
    parent.addEventListener('abort', () => abort.abort(), { once: true });
    return abort.signal;
  }

  /** signal is the current run's signal (undefined before the first begin). */
  get signal(): AbortSignal | undefined {
    return this.#abort?.signal;
  }

  /** stopping says stop() was called or the server is going down; background work checks it before rearming. */
  get stopping(): boolean {
    return this.#abort?.signal.aborted ?? false;
  }

  /** stop ends the current run. */
  stop(): void {
    this.#abort?.abort();
  }
}
