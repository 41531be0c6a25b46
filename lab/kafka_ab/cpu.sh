#!/bin/bash
# Every 0.5 s: CPU seconds of each live `tenor <cmd>` process; the last line per pid is its total.
tck=$(getconf CLK_TCK)
while [ -e /tmp/ab/pinning ]; do
  for d in /proc/[0-9]*; do
    cmd=$(tr '\0' ' ' < $d/cmdline 2>/dev/null) || continue
    case "$cmd" in */tenor\ serve*|*/tenor\ segmenter*|*/tenor\ scorer*) ;; *) continue;; esac
    read -r line < $d/stat 2>/dev/null || continue
    rest=${line##*) }; set -- $rest
    echo "$(date -u +%T) ${d#/proc/} $(echo $cmd | awk '{print $1, $2}') $(( (${12} + ${13}) * 100 / tck ))"
  done
  sleep 0.5
done
