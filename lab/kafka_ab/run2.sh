#!/bin/bash
# After run.sh: old against mid (1726b56, the #16 fault work alone), ABBA, then new with tensions off.
cd /tmp/ab
until grep -q "all done" run.log; do sleep 10; done
until grep -q "=== done" build-mid.log; do sleep 10; done
pkill -f "pin.sh 9602"; sleep 1
mysid=$(ps -o sid= $$ | tr -d ' ')
(setsid /tmp/ab/pin.sh $mysid > /tmp/ab/pin2.log 2>&1 &)
KS_OLD=$(grep kafka_services exe-old.txt); KS_MID=$(grep kafka_services exe-mid.txt); KS_NEW=$(grep kafka_services exe-new.txt)
sample() { awk '/^cpu1 /{print $2+$3+$4+$5+$6+$7+$8, $5}' /proc/stat; }
run=8
for side in mid old old mid; do
  run=$((run+1))
  exe=KS_${side^^}; exe=${!exe}
  echo "=== run $run $side start $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) cpu1 $(sample)"
  (cd /tmp/ab/$side && taskset -c 1 $exe 20000 5 10000 --bench) 2>&1 | grep -v "^\s*$" | grep "|"
  echo "=== run $run $side end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) cpu1 $(sample)"
done
for i in 1; do
  run=$((run+1))
  echo "=== run $run new-notensions start $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) cpu1 $(sample)"
  (cd /tmp/ab/new && TENOR_TENSION__ENABLED=false taskset -c 1 $KS_NEW 20000 5 10000 --bench) 2>&1 | grep -v "^\s*$" | grep "|"
  echo "=== run $run new-notensions end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) cpu1 $(sample)"
done
rm -f /tmp/ab/pinning
echo "=== all done 2 $(date -u +%T)"
