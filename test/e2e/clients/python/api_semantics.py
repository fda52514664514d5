# SPDX-License-Identifier: Apache-2.0
"""The official Python client (Debian's python3-kubernetes) against a Skiff
server: CRUD, list/watch with resourceVersion and bookmarks, the three patch
types, and error bodies. Prints one JSON document of observations for the
node test (test/e2e/clients/python-client.test.ts) to compare with upstream.

Usage: python3 api_semantics.py KUBECONFIG NAMESPACE
"""
import json
import sys

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException


def error_of(fn):
    try:
        fn()
    except ApiException as e:
        return {"status": e.status, "body": e.body.decode() if isinstance(e.body, bytes) else e.body}
    return None


def raw_patch(api, path, body, content_type):
    return api.api_client.call_api(
        path, "PATCH", header_params={"Content-Type": content_type, "Accept": "application/json"},
        body=body, response_type="object", auth_settings=["BearerToken"], _return_http_data_only=True)


def main():
    kubeconfig, ns = sys.argv[1], sys.argv[2]
    config.load_kube_config(config_file=kubeconfig)
    v1 = client.CoreV1Api()
    out = {}

    v1.create_namespace({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "labels": {"app": "py"}}, "data": {"a": "1"}}
    created = v1.create_namespaced_config_map(ns, cm)
    out["created_rv"] = created.metadata.resource_version
    out["read"] = v1.read_namespaced_config_map("cm", ns).data
    created.data["b"] = "2"
    replaced = v1.replace_namespaced_config_map("cm", ns, created)
    out["replaced"] = replaced.data

    # The client's own patch method sends a list as application/json-patch+json and a dict as a strategic merge patch.
    out["json_patch"] = v1.patch_namespaced_config_map("cm", ns, [{"op": "add", "path": "/data/c", "value": "3"}]).data
    out["dict_patch"] = v1.patch_namespaced_config_map("cm", ns, {"data": {"x": "y"}}).data
    path = "/api/v1/namespaces/%s/configmaps/cm" % ns
    out["merge_patch"] = raw_patch(v1, path, {"data": {"d": "4", "a": None}}, "application/merge-patch+json")["data"]
    out["strategic_patch"] = raw_patch(v1, path, {"metadata": {"labels": {"tier": "x"}}}, "application/strategic-merge-patch+json")["metadata"]["labels"]

    # list, then watch from the list's resourceVersion with bookmarks (watch=True on the wire).
    listed = v1.list_namespaced_config_map(ns, label_selector="app=py")
    out["list_names"] = [i.metadata.name for i in listed.items]
    rv = listed.metadata.resource_version
    v1.patch_namespaced_config_map("cm", ns, [{"op": "add", "path": "/data/e", "value": "5"}])
    v1.create_namespaced_config_map(ns, {"metadata": {"name": "cm2", "labels": {"app": "py"}}})
    v1.delete_namespaced_config_map("cm2", ns)
    events = []
    w = watch.Watch()
    for ev in w.stream(v1.list_namespaced_config_map, ns, label_selector="app=py", resource_version=rv,
                       allow_watch_bookmarks=True, timeout_seconds=5):
        events.append([ev["type"], ev["object"].metadata.name])
        if len(events) == 3:
            w.stop()
    out["watch_events"] = events

    # Error bodies, compared by the test with upstream's exact text.
    out["already_exists"] = error_of(lambda: v1.create_namespaced_config_map(ns, cm))
    out["not_found"] = error_of(lambda: v1.read_namespaced_config_map("missing", ns))
    stale = v1.read_namespaced_config_map("cm", ns)
    stale.metadata.resource_version = "1"
    out["conflict"] = error_of(lambda: v1.replace_namespaced_config_map("cm", ns, stale))
    out["invalid"] = error_of(lambda: v1.create_namespaced_config_map(ns, {"metadata": {"name": "Bad_Name"}}))
    out["forbidden_namespace"] = error_of(lambda: v1.delete_namespace("kube-system"))
    v1.delete_namespaced_config_map("cm", ns)
    v1.delete_namespace(ns)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
