/**
 * Live lists, one per URL for the whole page: list once, then watch from the
 * list's resourceVersion, as an informer does, however many views show the
 * list. A watch that ends is resumed from the last version seen; a 410
 * (version compacted away) or a dropped connection re-lists after a short
 * back-off. Watch events only mark the list changed; subscribers hear of it
 * once per animation frame, so a burst of events (a rollout, a thousand pods
 * starting) costs one render, not one per event.
 */
import { ApiError, watchStream, type KubeObject } from './api.js';

/** LiveState is what a view shows about the connection behind a list. */
export type LiveState = 'loading' | 'live' | 'reconnecting';

export interface Live<T> {
  items: T[];
  state: LiveState;
  /** error is the last failure (a 403 stays: the user may not list this). */
  error?: ApiError;
}

/** Source says how to list a collection and fold watch events into it. */
export interface Source<T> {
  /** list returns the items keyed by uid and the version to watch from. */
  list(): Promise<{ items: Map<string, T>; resourceVersion: string }>;
  /** apply folds one watch event's object into the items; it may finish later (a row read from the server), then calls changed. */
  apply(items: Map<string, T>, type: string, object: KubeObject, changed: () => void): void;
  watchPath: string;
}

/** A list nobody shows any more is kept this long, so going back to a view is instant. */
const LINGER_MS = 10_000;

class LiveList<T> {
  readonly items = new Map<string, T>();
  snapshot: Live<T> = { items: [], state: 'loading' };
  readonly listeners = new Set<(l: Live<T>) => void>();
  readonly abort = new AbortController();
  #state: LiveState = 'loading';
  #error?: ApiError;
  #frame = false;
  linger?: ReturnType<typeof setTimeout>;

  constructor(readonly source: Source<T>) {
    void this.follow();
  }

  /** changed schedules one snapshot for the next frame, however many changes come before it. */
  changed = (state: LiveState = this.#state, error: ApiError | undefined = this.#error): void => {
    this.#state = state;
    this.#error = error;
    if (this.#frame) return;
    this.#frame = true;
    const flush = () => {
      this.#frame = false;
      if (this.abort.signal.aborted) return;
      this.snapshot = { items: [...this.items.values()], state: this.#state, error: this.#error };
      for (const l of this.listeners) l(this.snapshot);
    };
    // A hidden tab gets no frames; a timer keeps its lists current for when it is shown.
    if (document.hidden) setTimeout(flush, 250);
    else requestAnimationFrame(flush);
  };

  async follow(): Promise<void> {
    const { source } = this;
    const signal = this.abort.signal;
    let backoff = 500;
    while (!signal.aborted) {
      let rv: string;
      try {
        const fresh = await source.list();
        rv = fresh.resourceVersion;
        this.items.clear();
        for (const [k, v] of fresh.items) this.items.set(k, v);
      } catch (err) {
        if (signal.aborted) return;
        const e = err instanceof ApiError ? err : new ApiError(0, { message: String((err as Error).message ?? err) });
        this.items.clear();
        this.changed(e.code === 403 || e.code === 404 ? 'live' : 'reconnecting', e);
        if (e.code === 401 || e.code === 403 || e.code === 404) return;
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, 8000);
        continue;
      }
      this.changed('live', undefined);
      backoff = 500;
      // Resume the watch from the last version until it fails; then re-list.
      for (;;) {
        try {
          rv = await watchStream(source.watchPath, rv, (ev) => {
            if (ev.type === 'BOOKMARK') return;
            source.apply(this.items, ev.type, ev.object, () => this.changed());
            this.changed();
          }, signal);
          if (signal.aborted) return;
        } catch (err) {
          if (signal.aborted) return;
          const gone = err instanceof ApiError && err.code === 410;
          if (!gone) {
            this.changed('reconnecting', err instanceof ApiError ? err : undefined);
            await sleep(backoff, signal);
            backoff = Math.min(backoff * 2, 8000);
          }
          break;
        }
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}

const lists = new Map<string, LiveList<unknown>>();

/** dropSoon ends a list nobody shows after LINGER_MS. */
function dropSoon(key: string, l: LiveList<unknown>): void {
  clearTimeout(l.linger);
  l.linger = setTimeout(() => {
    if (l.listeners.size > 0) return;
    l.abort.abort();
    lists.delete(key);
  }, LINGER_MS);
}

/**
 * prime starts reading the list named key while a view is still rendering
 * (its effects, which subscribe, run only after the browser paints), and
 * returns what is known of it so far; a list nobody subscribes to is dropped.
 */
export function prime<T>(key: string, source: () => Source<T>): Live<T> {
  let list = lists.get(key) as LiveList<T> | undefined;
  if (!list) {
    list = new LiveList<T>(source());
    lists.set(key, list as LiveList<unknown>);
    dropSoon(key, list as LiveList<unknown>);
  }
  return list.snapshot;
}

/**
 * subscribe shares the live list named key (made by source on first use)
 * and calls onChange with each new snapshot; it returns the current one and
 * an unsubscribe function.
 */
export function subscribe<T>(key: string, source: () => Source<T>, onChange: (l: Live<T>) => void): { current: Live<T>; unsubscribe: () => void } {
  let list = lists.get(key) as LiveList<T> | undefined;
  if (!list) {
    list = new LiveList<T>(source());
    lists.set(key, list as LiveList<unknown>);
  }
  clearTimeout(list.linger);
  const l = list;
  l.listeners.add(onChange);
  return {
    current: l.snapshot,
    unsubscribe() {
      l.listeners.delete(onChange);
      if (l.listeners.size === 0) dropSoon(key, l as LiveList<unknown>);
    },
  };
}

/** isListed says whether the list named key has been read (a view showed it within the last LINGER_MS). */
export function isListed(key: string): boolean {
  const list = lists.get(key);
  return list !== undefined && list.snapshot.state !== 'loading';
}

/** dropAll ends every live list (log out: the next user starts afresh). */
export function dropAll(): void {
  for (const l of lists.values()) {
    clearTimeout(l.linger);
    l.abort.abort();
  }
  lists.clear();
}
