# SPDX-License-Identifier: Apache-2.0
"""The official Python client's streaming calls against a Skiff pod: exec
(its stdout=True/stdin=False spelling of the flags), interactive exec whose
stdin goes out as WebSocket text frames on v4.channel.k8s.io, logs with
timestamps=True, and port-forward. Prints one JSON document of what it saw.

Usage: python3 streams.py KUBECONFIG NAMESPACE POD
"""
import json
import sys
import time

from kubernetes import client, config
from kubernetes.stream import portforward, stream


def main():
    kubeconfig, ns, pod = sys.argv[1], sys.argv[2], sys.argv[3]
    config.load_kube_config(config_file=kubeconfig)
    v1 = client.CoreV1Api()
    out = {}

    out["exec"] = stream(v1.connect_get_namespaced_pod_exec, pod, ns, command=["sh", "-c", "echo out; echo err >&2"],
                         stderr=True, stdin=False, stdout=True, tty=False)

    resp = stream(v1.connect_get_namespaced_pod_exec, pod, ns, command=["sh", "-c", "read line; echo got:$line; exit 3"],
                  stderr=True, stdin=True, stdout=True, tty=False, _preload_content=False)
    resp.write_stdin("hello from python\n")
    seen = ""
    deadline = time.time() + 20
    while resp.is_open() and time.time() < deadline:
        resp.update(timeout=1)
        if resp.peek_stdout():
            seen += resp.read_stdout()
    resp.close()
    out["interactive"] = seen
    out["interactive_returncode"] = resp.returncode

    logs = v1.read_namespaced_pod_log(pod, ns, timestamps=True)
    out["log_lines"] = logs.splitlines()

    pf = portforward(v1.connect_get_namespaced_pod_portforward, pod, ns, ports="8080")
    sock = pf.socket(8080)
    sock.setblocking(True)
    sock.sendall(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n")
    data = b""
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    sock.close()
    out["port_forward"] = data.decode(errors="replace").split("\r\n\r\n", 1)[-1]
    pf.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
