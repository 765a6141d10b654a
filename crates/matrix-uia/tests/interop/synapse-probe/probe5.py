from probe_lib import *
L = "/_matrix/client/v3/login"; D = "/_matrix/client/v3/delete_devices"
def pw_auth(S, user="alice", pw="pw-Alice-1"):
    a = {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": user}, "password": pw}
    if S is not None: a["session"] = S
    return a
s, j = req("x", "POST", L, {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": "alice"}, "password": "pw-Alice-1", "device_id": "DEVX"}, note="login")
tok = j["access_token"]
req("x", "POST", D, {"devices": ["NOPE"], "auth": pw_auth(None, pw="WRONG-pw")}, token=tok, note="wrong password, NO session field (first request)")
s, j = req("x", "POST", D, {"devices": ["DEVX9"]}, token=tok, note="start session")
S = j["session"]
req("x", "POST", D, {"auth": pw_auth(S)}, token=tok, note="body with ONLY auth (devices omitted) + correct password")
req("x", "POST", D, {"devices": ["NOPE"], "auth": {"type": "m.login.password", "user": "alice", "password": "pw-Alice-1", "session": S}}, token=tok, note="legacy top-level 'user' field instead of identifier")
s, j = req("x", "POST", D, {"devices": ["NOPE"]}, token=tok, note="start session")
S = j["session"]
req("x", "POST", D, {"devices": ["NOPE"], "auth": pw_auth(S, user="nosuchuser")}, token=tok, note="identifier for a nonexistent user")
req("x", "POST", D, {"devices": ["NOPE"], "auth": {"type": "m.login.password", "identifier": {"type": "m.id.thirdparty", "medium": "email", "address": "a@b.c"}, "password": "pw-Alice-1", "session": S}}, token=tok, note="3pid identifier not bound")
req("x", "POST", D, {"devices": ["NOPE"], "auth": {"type": "m.login.password", "identifier": {"type": "m.id.user"}, "password": "pw-Alice-1", "session": S}}, token=tok, note="identifier missing user")
req("x", "POST", D, {"devices": ["NOPE"], "auth": {"type": "m.login.password", "identifier": "alice", "password": "pw-Alice-1", "session": S}}, token=tok, note="identifier is a string")
req("x", "GET", D, token=tok, note="wrong method GET")
req("x", "POST", D, raw_body="{not json", token=tok, note="malformed JSON")
dump("results4.json")
