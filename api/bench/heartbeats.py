#!/usr/bin/env python3
"""Heartbeat throughput and latency of one kiln-api, for N simulated hosts (default 100 and 1,000).

Registers N hosts through the API (each gets a host JWT and a host-<id> workflow), then for a fixed time sends
heartbeats round-robin over the hosts from a pool of concurrent clients, and afterwards a plain
GET /v1/hosts/{id} load with the same pool: the baseline measured in the same run. Prints heartbeats/s and
p50/p99 latency for each N and the ratio to the baseline. Deletes the simulated hosts at the end.

Run on the stack api/bin/demo.sh started:  python3 api/bench/heartbeats.py [N ...]
"""
import http.client
import json
import os
import statistics
import sys
import threading
import time

API_HOST, API_PORT = "127.0.0.1", 8080
SECONDS = float(os.environ.get("SECONDS_PER_RUN", "15"))
CLIENTS = int(os.environ.get("CLIENTS", "16"))


def admin_key():
    with open("/var/lib/kiln/demo/env") as env:
        for line in env:
            if line.startswith("KILN_ADMIN_KEY="):
                return line.split("=", 1)[1].strip()
    sys.exit("run api/bin/demo.sh first: it starts the stack this measures")


def request(connection, method, path, body=None, headers=None):
    payload = None if body is None else json.dumps(body)
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    connection.request(method, path, body=payload, headers=all_headers)
    response = connection.getresponse()
    data = response.read()
    return response.status, (json.loads(data) if data else None)


def register_hosts(count, key):
    connection = http.client.HTTPConnection(API_HOST, API_PORT, timeout=30)
    auth = {"Authorization": "Bearer " + key}
    hosts = []
    for _ in range(count):
        status, created = request(connection, "POST", "/v1/hosts", {"type": "regular", "labels": {"bench": "heartbeats"}}, auth)
        assert status == 201, created
        status, registered = request(connection, "POST", "/v1/hosts/register", {
            "token": created["registration_token"], "arch": "amd64", "cpu_cores": 1, "memory_mb": 1024, "disk_gb": 10})
        assert status == 201, registered
        hosts.append((registered["host"]["id"], registered["token"]))
    return hosts


def load(hosts, make_call):
    """Runs CLIENTS threads for SECONDS, each cycling over the hosts; returns (calls per second, latencies in ms)."""
    latencies, errors = [], []
    lock = threading.Lock()
    deadline = time.monotonic() + SECONDS

    def client(offset):
        connection = http.client.HTTPConnection(API_HOST, API_PORT, timeout=30)
        mine, index = [], offset
        while time.monotonic() < deadline:
            host_id, token = hosts[index % len(hosts)]
            index += CLIENTS
            started = time.perf_counter()
            status = make_call(connection, host_id, token)
            mine.append((time.perf_counter() - started) * 1000)
            if status >= 400:
                errors.append(status)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    if errors:
        sys.exit(f"{len(errors)} calls failed, e.g. status {errors[0]}")
    return len(latencies) / elapsed, latencies


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main():
    key = admin_key()
    counts = [int(arg) for arg in sys.argv[1:]] or [100, 1000]
    heartbeat = lambda connection, host_id, token: request(
        connection, "POST", f"/v1/hosts/{host_id}/heartbeat",
        {"running_sandboxes": 0, "cpu_pct": 1.0, "memory_used_mb": 100, "disk_used_gb": 1}, {"X-Host-Token": token})[0]
    lookup = lambda connection, host_id, token: request(
        connection, "GET", f"/v1/hosts/{host_id}", None, {"Authorization": "Bearer " + key})[0]
    print(f"{CLIENTS} concurrent clients, {SECONDS:.0f} s per measurement")
    for count in counts:
        hosts = register_hosts(count, key)
        beat_rate, beat_ms = load(hosts, heartbeat)
        get_rate, get_ms = load(hosts, lookup)
        print(f"N={count:5d}: heartbeats {beat_rate:7.1f}/s  p50 {statistics.median(beat_ms):6.1f} ms  "
              f"p99 {percentile(beat_ms, 0.99):6.1f} ms | GET /v1/hosts/{{id}} {get_rate:7.1f}/s  "
              f"p50 {statistics.median(get_ms):6.1f} ms  p99 {percentile(get_ms, 0.99):6.1f} ms | "
              f"heartbeat/GET throughput {beat_rate / get_rate:.2f}x, p50 latency {statistics.median(beat_ms) / statistics.median(get_ms):.1f}x")
        connection = http.client.HTTPConnection(API_HOST, API_PORT, timeout=60)
        for host_id, _ in hosts:
            request(connection, "DELETE", f"/v1/hosts/{host_id}?force=true", None, {"Authorization": "Bearer " + key})


if __name__ == "__main__":
    main()
