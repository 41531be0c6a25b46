#!/usr/bin/env bash
# Container health check for a Tenor service: GET /healthz (or the path given as $1) on the metrics port and
# succeed on HTTP 200. Uses bash's /dev/tcp so that the runtime image needs no HTTP client.
# The port comes from TENOR_METRICS__ADDR (host:port), as the service reads it; 9464 when unset.
set -euo pipefail
path="${1:-/healthz}"
addr="${TENOR_METRICS__ADDR:-0.0.0.0:9464}"
port="${addr##*:}"
exec 3<>"/dev/tcp/127.0.0.1/${port}"
printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path" >&3
IFS=' ' read -r _ status _ <&3
[[ "$status" == "200" ]]
