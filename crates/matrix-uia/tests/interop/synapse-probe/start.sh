#!/bin/bash
# start synapse in background, wait until /versions answers; prints pid and startup time
cd "${SYNAPSE_PROBE_DIR:-/tmp/synapse-probe}"
t0=$(date +%s.%N)
nohup venv/bin/python -m synapse.app.homeserver -c homeserver.yaml > synapse.stdout 2>&1 &
echo $! > synapse.pid
for i in $(seq 1 300); do
  if curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:18448/_matrix/client/versions | grep -q 200; then
    t1=$(date +%s.%N); echo "up pid=$(cat synapse.pid) after $(echo "$t1 - $t0" | bc) s"; exit 0; fi
  if ! kill -0 $(cat synapse.pid) 2>/dev/null; then echo "synapse died"; cat synapse.stdout; exit 1; fi
  sleep 0.2
done
echo timeout; exit 1
