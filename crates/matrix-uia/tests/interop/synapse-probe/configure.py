#!/usr/bin/env python3
"""Rewrite generated homeserver.yaml for UIA probing.
usage: configure.py [--require-token] [--default-rc-login]
Reads homeserver.yaml.orig, writes homeserver.yaml."""
import os, sys, yaml
base = os.environ.get("SYNAPSE_PROBE_DIR", "/tmp/synapse-probe")
cfg = yaml.safe_load(open(f"{base}/homeserver.yaml.orig"))
cfg["listeners"] = [{
    "port": 18448, "bind_addresses": ["127.0.0.1"], "type": "http",
    "tls": False, "x_forwarded": False,
    "resources": [{"names": ["client"], "compress": False}],
}]
cfg["database"] = {"name": "sqlite3", "args": {"database": f"{base}/homeserver.db"}}
cfg["enable_registration"] = True
cfg["enable_registration_without_verification"] = True
cfg["registration_requires_token"] = "--require-token" in sys.argv
cfg["trusted_key_servers"] = []          # no network: don't try matrix.org
cfg["suppress_key_server_warning"] = True
def big(): return {"per_second": 1000, "burst_count": 1000}
cfg["rc_registration"] = big()
cfg["rc_registration_token_validity"] = big()
cfg["rc_message"] = big()
cfg["rc_admin_redaction"] = big()
cfg["rc_joins"] = {"local": big(), "remote": big()}
if "--default-rc-login" not in sys.argv:
    cfg["rc_login"] = {"address": big(), "account": big(), "failed_attempts": big()}
yaml.safe_dump(cfg, open(f"{base}/homeserver.yaml", "w"), sort_keys=False)
