from probe_lib import *
R = "/_matrix/client/v3/register"; L = "/_matrix/client/v3/login"; D = "/_matrix/client/v3/delete_devices"
ALICE_PW = "pw-Alice-1"; BOB_PW = "pw-Bob-1"
def login(user, pw, case, dev=None):
    b = {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": user}, "password": pw}
    if dev: b["device_id"] = dev
    s, j = req(case, "POST", L, b)
    return j["access_token"], j["device_id"]
def pw_auth(S, user="alice", pw=ALICE_PW):
    a = {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": user}, "password": pw}
    if S is not None: a["session"] = S
    return a

# a
s, j = req("a", "POST", R, {"username": "alice", "password": ALICE_PW}, note="no auth")
S = j["session"]
# b
req("b", "POST", R, {"username": "alice", "password": ALICE_PW, "auth": {"type": "m.login.dummy", "session": S}}, note="dummy stage with session from a")
# c
tok, dev1 = login("alice", ALICE_PW, "c", "DEV1")
tok2, dev2 = login("alice", ALICE_PW, "c", "DEV2")
req("c", "GET", "/_matrix/client/v3/devices", token=tok, note="list devices")
# d
s, j = req("d", "POST", D, {"devices": ["DEV2"]}, token=tok, note="no auth")
SD = j["session"]
# e
req("e", "POST", D, {"devices": ["DEV2"], "auth": pw_auth(SD, pw="WRONG-pw")}, token=tok, note="wrong password, session from d")
# f
req("f", "POST", D, {"devices": ["DEV2"], "auth": pw_auth("nonexistent")}, token=tok, note="bogus session id, correct password")
req("f", "POST", D, {"devices": ["DEV2"], "auth": pw_auth("nonexistent", pw="WRONG-pw")}, token=tok, note="bogus session id, wrong password")
req("f", "POST", D, {"devices": ["DEV2"], "auth": {"session": "nonexistent"}}, token=tok, note="bogus session id, session-only auth")
# g
s, j = req("g", "POST", D, {"devices": ["DEV2"]}, token=tok, note="fresh session for g")
SG = j["session"]
req("g", "POST", D, {"devices": ["DEV2"], "auth": {"type": "m.login.dummy", "session": SG}}, token=tok, note="auth type not offered: m.login.dummy")
req("g", "POST", D, {"devices": ["DEV2"], "auth": {"session": SG}}, token=tok, note="session-only auth after dummy attempt")
req("g", "POST", D, {"devices": ["DEV2"], "auth": {"type": "m.login.bogus", "session": SG}}, token=tok, note="unknown auth type m.login.bogus")
req("g", "POST", D, {"devices": ["DEV2"], "auth": {"type": "m.login.password", "session": SG}}, token=tok, note="password type, no identifier/password fields")
req("g", "POST", D, {"devices": ["DEV2"], "auth": pw_auth(None)}, token=tok, note="correct password but no session field")
# h
req("h", "POST", D, {"devices": ["DEV2"], "auth": "x"}, token=tok, note='auth is a string')
req("h", "POST", D, {"devices": ["DEV2"], "auth": {"type": 7}}, token=tok, note='auth.type is an int')
req("h", "POST", D, {"devices": ["DEV2"], "auth": {"type": 7, "session": SG}}, token=tok, note='auth.type is an int, with valid session')
req("h", "POST", D, {"devices": ["DEV2"], "auth": {"session": 7}}, token=tok, note='auth.session is an int')
req("h", "POST", D, {"devices": ["DEV2"], "auth": None}, token=tok, note='auth is null')
req("h", "POST", D, {"devices": ["DEV2"], "auth": []}, token=tok, note='auth is an array')
req("h", "POST", D, {"devices": ["DEV2"], "auth": {}}, token=tok, note='auth is {}')
dump("results1_part1.json")
import pickle; pickle.dump({"tok": tok, "S": S, "SD": SD, "SG": SG}, open("state1.pkl", "wb"))
