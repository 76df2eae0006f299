#!/usr/bin/env python3
"""Seeds N registered, online hosts with live leases straight into a bench database, and writes "host-id token" lines
(host JWTs minted with the bench's secret, as kiln-api's HostTokens mints them) for heartbeat.lua.

Straight into PostgreSQL because registering 30,000 hosts through the API would take longer than the measurement,
and the hosts are in the state a steady fleet is in: online, lease live, so every beat is a plain renewal.

    seed_hosts.py DB_URL SECRET COUNT OUT_FILE
"""
import base64
import hashlib
import hmac
import json
import secrets
import subprocess
import sys
import time


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(secret, host_id, now):
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    claims = {"typ": "host", "host_id": host_id, "iat": now, "exp": now + 7 * 24 * 3600}
    payload = b64(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64(signature)}"


def main():
    db_url, secret, count, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    now = int(time.time())
    ids = ["host-bench" + secrets.token_hex(10) for _ in range(count)]
    hosts = "\n".join(
        f"{i}\tregular\t\\N\tonline\tamd64\t2\t4096\t20\t\\N\t{{}}\t{{}}\tbench\tnow()\tnow()\tnow()" for i in ids)
    sql = f"""
BEGIN;
CREATE TEMP TABLE seed (id text, type text, team_id text, status text, arch text, cpu_cores int, memory_mb bigint,
  disk_gb bigint, address text, labels jsonb, load jsonb, created_by text, created_at text, updated_at text,
  registered_at text);
COPY seed FROM STDIN;
{hosts}
\\.
INSERT INTO hosts (id, type, team_id, status, arch, cpu_cores, memory_mb, disk_gb, address, labels, load, created_by,
                   created_at, updated_at, registered_at, last_heartbeat_at)
SELECT id, type, team_id, status, arch, cpu_cores, memory_mb, disk_gb, address, labels, load, created_by,
       now(), now(), now(), now() FROM seed;
INSERT INTO host_leases (host_id, renewed_at, expires_at, state, generation, reconciled_at)
SELECT id, now(), now() + interval '1 hour', 'live', 1, now() FROM seed;
COMMIT;
ANALYZE hosts;
ANALYZE host_leases;
"""
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", db_url], input=sql.encode(), check=True)
    with open(out, "w") as lines:
        for host_id in ids:
            lines.write(f"{host_id} {token(secret, host_id, now)}\n")


if __name__ == "__main__":
    main()
