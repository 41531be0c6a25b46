#!/bin/bash
# Alternate old and new bench binaries on CPU 1 (ABBA), then the 600 s soak of each.
cd /tmp/ab
KS_OLD=$(grep kafka_services exe-old.txt); KS_NEW=$(grep kafka_services exe-new.txt)
SK_OLD=$(grep soak- exe-old.txt); SK_NEW=$(grep soak- exe-new.txt)
sample() { # print /proc/stat cpu1 idle and total to measure other work on cpu1
  awk '/^cpu1 /{print $2+$3+$4+$5+$6+$7+$8, $5}' /proc/stat; }
run=0
for side in old new new old old new new old; do
  run=$((run+1))
  exe=KS_${side^^}; exe=${!exe}
  echo "=== run $run $side start $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) cpu1 $(sample)"
  (cd /tmp/ab/$side && taskset -c 1 $exe 20000 5 10000 --bench) 2>&1 | grep -v "^\s*$" | grep "|"
  echo "=== run $run $side end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) cpu1 $(sample)"
done
for side in old new; do
  exe=SK_${side^^}; exe=${!exe}
  echo "=== soak $side start $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
  (cd /tmp/ab/$side && taskset -c 1 $exe 600 40 5 --bench) 2>&1 | tail -40
  echo "=== soak $side end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
done
echo "=== all done $(date -u +%T)"
