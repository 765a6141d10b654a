from probe_lib import *
import time
L = "/_matrix/client/v3/login"; D = "/_matrix/client/v3/delete_devices"
def pw_auth(S, user="alice", pw="pw-Alice-1"):
    return {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": user}, "password": pw, "session": S}
s, j = req("k2", "POST", L, {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": "alice"}, "password": "pw-Alice-1", "device_id": "DEVK"}, note="login (default rc_login config)")
tok = j["access_token"]
s, j = req("k2", "POST", D, {"devices": ["NOPE"]}, token=tok, note="start session")
S = j["session"]
for n in range(12):
    req("k2", "POST", D, {"devices": ["NOPE"], "auth": pw_auth(S, pw="WRONG-pw")}, token=tok, note=f"wrong password #{n+1} (default rc_login.failed_attempts)")
req("k2", "POST", D, {"devices": ["NOPE"], "auth": pw_auth(S)}, token=tok, note="correct password immediately after, same session")
req("k2", "POST", L, {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": "alice"}, "password": "pw-Alice-1"}, note="plain /login right after (shared limiter?)")
time.sleep(7)
req("k2", "POST", D, {"devices": ["NOPE"], "auth": pw_auth(S)}, token=tok, note="correct password after sleeping 7 s, same session")
dump("results2.json")
