// SPDX-License-Identifier: Apache-2.0
/** URLs of the Kubernetes API as the dashboard reads them. */

/**
 * objectURL is the URL of one object of a collection URL (`/api/v1/pods` →
 * `/api/v1/namespaces/NS/pods/NAME`), where its Table row can be read; the
 * collection's query (selectors) is dropped.
 */
export function objectURL(collection: string, namespace: string | undefined, name: string): string {
  const path = collection.split('?')[0];
  const slash = path.lastIndexOf('/');
  const base = path.slice(0, slash);
  const plural = path.slice(slash + 1);
  const inNamespace = namespace && !/\/namespaces\/[^/]+$/.test(base) ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${inNamespace}/${plural}/${encodeURIComponent(name)}`;
}
