#!/bin/bash
cd "${SYNAPSE_PROBE_DIR:-/tmp/synapse-probe}"
pid=$(cat synapse.pid); kill -TERM "$pid"
for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || { echo "stopped $pid"; exit 0; }; sleep 0.2; done
echo "still running $pid"; exit 1
