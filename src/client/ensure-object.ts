// SPDX-License-Identifier: Apache-2.0
/**
 * Objects a component keeps in existence on every start (bootstrap objects,
 * the dashboard's Service): created when missing, left or brought back in
 * line when present.
 */
import type { KubeObject } from '../api/index.js';
import type { Client, ResourceRef } from './client.js';
import { isAlreadyExists, isNotFound } from '../machinery/index.js';

/** ensureObject creates obj unless an object of its name exists (whatever its content). */
export async function ensureObject(client: Client, ref: ResourceRef, obj: KubeObject): Promise<void> {
  try {
    // Look first: creating a Service that exists would trip the cluster IP allocator before AlreadyExists.
    await client.get(ref, obj.metadata.name!, { namespace: obj.metadata.namespace });
    return;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  try {
    await client.create(ref, obj, { namespace: obj.metadata.namespace });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}

/** ensureObjectFields keeps the named top-level fields of an object equal to obj's (endpoints that follow an address). */
export async function ensureObjectFields(client: Client, ref: ResourceRef, obj: KubeObject, fields: string[]): Promise<void> {
  try {
    const cur = await client.get(ref, obj.metadata.name!, { namespace: obj.metadata.namespace });
    const next = structuredClone(cur) as KubeObject;
    for (const f of fields) next[f] = obj[f];
    if (JSON.stringify(fields.map((f) => cur[f])) !== JSON.stringify(fields.map((f) => obj[f]))) {
      await client.update(ref, next, { namespace: obj.metadata.namespace });
    }
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await ensureObject(client, ref, obj);
  }
}
