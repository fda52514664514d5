// SPDX-License-Identifier: Apache-2.0
/**
 * WriteStorm keeps `workers` ConfigMap creates in flight at once, spread
 * over the servers (worker w writes through server w mod n), and records
 * each write's outcome. A write counts as acknowledged only when the server
 * answered 201 with the object; anything else (a Status, a connection
 * reset by a killed server) is recorded with why. A worker whose server is
 * marked down moves to the next live one, as a client with several servers
 * does, so the load stays at `workers` in flight through a failover.
 *
 * verify() reads every acknowledged write back through one server and
 * compares its content: what the storm wrote is what the cluster kept.
 */
import type { KubeObject } from '../../src/api/index.js';
import { HttpClient, loadKubeconfig, R } from '../../src/client/index.js';
import { StatusError } from '../../src/machinery/index.js';

export interface WriteOutcome {
  name: string;
  via: number;
  ok: boolean;
  /** why is the Status (code reason: message) or connection error of a write that was not acknowledged. */
  why?: string;
}

/** content is what write `name` stores; verify() expects it back byte for byte. */
function content(name: string, via: number): Record<string, string> {
  return { name, via: String(via), payload: `${name}:`.repeat(8) };
}

export class WriteStorm {
  readonly outcomes: WriteOutcome[] = [];
  readonly #clients: HttpClient[];
  readonly #down = new Set<number>();
  #stop = false;
  #inFlight = 0;
  readonly #inFlightTo = new Map<number, number>();
  #maxInFlight = 0;
  #running?: Promise<void>;

  constructor(kubeconfigs: string[], readonly namespace: string, readonly label: string, readonly workers = 500) {
    // One connection per write in flight: the client's default pool (16) would queue them on this side instead.
    this.#clients = kubeconfigs.map((k) => new HttpClient({ ...loadKubeconfig(k), maxSockets: workers }));
  }

  get acknowledged(): WriteOutcome[] {
    return this.outcomes.filter((o) => o.ok);
  }

  /** maxInFlight is the most writes that were waiting for an answer at the same time. */
  get maxInFlight(): number {
    return this.#maxInFlight;
  }

  /** inFlightTo is how many writes to server i wait for an answer now. */
  inFlightTo(i: number): number {
    return this.#inFlightTo.get(i) ?? 0;
  }

  start(): void {
    this.#running = Promise.all(Array.from({ length: this.workers }, (_, w) => this.#worker(w))).then(() => undefined);
  }

  /** markDown sends the writers of server i to the next live server from their next write on. */
  markDown(i: number): void {
    this.#down.add(i);
  }

  markUp(i: number): void {
    this.#down.delete(i);
  }

  async stop(): Promise<void> {
    this.#stop = true;
    await this.#running;
    for (const c of this.#clients) c.close();
  }

  #target(w: number): number {
    const n = this.#clients.length;
    for (let k = 0; k < n; k++) {
      const i = (w + k) % n;
      if (!this.#down.has(i)) return i;
    }
    return w % n;
  }

  async #worker(w: number): Promise<void> {
    for (let seq = 0; !this.#stop; seq++) {
      const via = this.#target(w);
      const name = `${this.label}-${w}-${seq}`;
      const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { storm: this.label } }, data: content(name, via) };
      this.#inFlight++;
      this.#maxInFlight = Math.max(this.#maxInFlight, this.#inFlight);
      this.#inFlightTo.set(via, this.inFlightTo(via) + 1);
      try {
        await this.#clients[via]!.create(R.configmaps, cm, { namespace: this.namespace });
        this.outcomes.push({ name, via, ok: true });
      } catch (err) {
        const why = err instanceof StatusError ? `${err.code} ${err.reason}: ${err.message}` : `${(err as NodeJS.ErrnoException).code ?? ''} ${(err as Error).message}`;
        this.outcomes.push({ name, via, ok: false, why });
        // A refused write is retried as a new one after a pause (a client backing off), not in a tight loop.
        await new Promise((r) => setTimeout(r, 200));
      } finally {
        this.#inFlight--;
        this.#inFlightTo.set(via, this.inFlightTo(via) - 1);
      }
    }
  }

  /** verify lists the storm's ConfigMaps through kubeconfig and returns the acknowledged writes that are missing or differ. */
  async verify(kubeconfig: string): Promise<{ missing: string[]; different: string[]; stored: Map<string, KubeObject> }> {
    const client = new HttpClient(loadKubeconfig(kubeconfig));
    try {
      const list = await client.list(R.configmaps, { namespace: this.namespace, labelSelector: `storm=${this.label}` });
      const stored = new Map(list.items.map((o) => [o.metadata.name!, o]));
      const missing: string[] = [];
      const different: string[] = [];
      for (const o of this.acknowledged) {
        const got = stored.get(o.name);
        if (!got) missing.push(o.name);
        else if (JSON.stringify((got as KubeObject & { data?: unknown }).data) !== JSON.stringify(content(o.name, o.via))) different.push(o.name);
      }
      return { missing, different, stored };
    } finally {
      client.close();
    }
  }

  /** isIntact says a stored ConfigMap of the storm holds exactly what its write sent (for writes whose outcome was unknown). */
  static isIntact(o: KubeObject): boolean {
    const data = (o as KubeObject & { data?: Record<string, string> }).data;
    return !!data && JSON.stringify(data) === JSON.stringify(content(o.metadata.name!, Number(data.via)));
  }
}
