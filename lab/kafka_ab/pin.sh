#!/bin/bash
# Hold every process outside the bench's session to CPU 0, so CPU 1 is the bench's alone.
bench_sid=$1
while [ -e /tmp/ab/pinning ]; do
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    sid=$(awk '{print $6}' $p/stat 2>/dev/null) || continue
    [ "$sid" = "$bench_sid" ] && continue
    [ "$pid" = "$$" ] && continue
    taskset -a -p -c 0 $pid >/dev/null 2>&1
  done
  sleep 2
done
