#!/usr/bin/env python3
"""Rewrite a generated homeserver.yaml for the UIA interop test.

usage: configure.py CONFIG_DIR PORT [--require-token] [--default-rc-login]

`tests/interop_synapse.rs` runs this with the venv's python (PyYAML comes
with Synapse) after `--generate-config`. The first run keeps the generated
file as homeserver.yaml.orig; every run rewrites homeserver.yaml from it, so
running it again with other flags starts from the same base. The logic is
that of the manual probe (`../synapse-probe/`, which uses this file too),
with the directory and the port as arguments:

- listen on 127.0.0.1:PORT only, plain HTTP, the client API only;
- SQLite in CONFIG_DIR;
- open registration without email or phone verification (Synapse then
  offers the single flow [m.login.dummy]), or with a registration token
  (--require-token);
- no network (no trusted key servers);
- rate limits far above what a test sends, so that no answer is a 429
  (--default-rc-login keeps Synapse's default rc_login, as probe run 2 did);
- log to stderr (the generated log config's `console` handler) instead of
  the buffered homeserver.log, so that the test's log file has every line,
  unbuffered, even when Synapse is killed.
"""
import os
import shutil
import sys

import yaml

args = [a for a in sys.argv[1:] if not a.startswith("--")]
flags = {a for a in sys.argv[1:] if a.startswith("--")}
if len(args) != 2 or not flags <= {"--require-token", "--default-rc-login"}:
    sys.exit(__doc__)
base, port = os.path.abspath(args[0]), int(args[1])

config, orig = os.path.join(base, "homeserver.yaml"), os.path.join(base, "homeserver.yaml.orig")
if not os.path.exists(orig):
    shutil.copyfile(config, orig)
with open(orig) as f:
    cfg = yaml.safe_load(f)

cfg["listeners"] = [{
    "port": port, "bind_addresses": ["127.0.0.1"], "type": "http",
    "tls": False, "x_forwarded": False,
    "resources": [{"names": ["client"], "compress": False}],
}]
cfg["database"] = {"name": "sqlite3", "args": {"database": os.path.join(base, "homeserver.db")}}
cfg["enable_registration"] = True
cfg["enable_registration_without_verification"] = True
cfg["registration_requires_token"] = "--require-token" in flags
cfg["trusted_key_servers"] = []          # no network: don't try matrix.org
cfg["suppress_key_server_warning"] = True
cfg["report_stats"] = False


def big():
    return {"per_second": 1000, "burst_count": 1000}


cfg["rc_registration"] = big()
cfg["rc_registration_token_validity"] = big()
cfg["rc_message"] = big()
cfg["rc_admin_redaction"] = big()
cfg["rc_joins"] = {"local": big(), "remote": big()}
if "--default-rc-login" not in flags:
    cfg["rc_login"] = {"address": big(), "account": big(), "failed_attempts": big()}

with open(config, "w") as f:
    yaml.safe_dump(cfg, f, sort_keys=False)

with open(cfg["log_config"]) as f:
    log = yaml.safe_load(f)
log["root"]["handlers"] = ["console"]
with open(cfg["log_config"], "w") as f:
    yaml.safe_dump(log, f, sort_keys=False)
