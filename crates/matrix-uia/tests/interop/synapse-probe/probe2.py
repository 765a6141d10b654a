from probe_lib import *
import pickle
st = pickle.load(open("state1.pkl", "rb"))
tok = st["tok"]
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
def devices(case):
    s, j = req(case, "GET", "/_matrix/client/v3/devices", token=tok, note="list devices")
    return sorted(d["device_id"] for d in j["devices"])

# h on endpoints without pydantic body model
req("h", "POST", "/_matrix/client/v3/account/password", {"new_password": "pw-Alice-X", "logout_devices": False, "auth": "x"}, token=tok, note="account/password: auth is a string")
req("h", "POST", "/_matrix/client/v3/account/password", {"new_password": "pw-Alice-X", "logout_devices": False, "auth": {"type": 7}}, token=tok, note="account/password: auth.type is an int")
req("h", "POST", "/_matrix/client/v3/account/password", {"new_password": "pw-Alice-X", "logout_devices": False, "auth": {"session": 7}}, token=tok, note="account/password: auth.session is an int")
req("h", "POST", R, {"username": "carol", "password": "pw-Carol-1", "auth": "x"}, note="register: auth is a string")
req("h", "POST", R, {"username": "carol", "password": "pw-Carol-1", "auth": {"type": 7}}, note="register: auth.type is an int")
req("h", "POST", R, {"username": "carol", "password": "pw-Carol-1", "auth": {"session": 7}}, note="register: auth.session is an int")
req("h", "DELETE", "/_matrix/client/v3/devices/NOPE", {"auth": "x"}, token=tok, note="DELETE /devices/{id}: auth is a string")
req("h", "DELETE", "/_matrix/client/v3/devices/NOPE", {"auth": {"type": 7}}, token=tok, note="DELETE /devices/{id}: auth.type is an int")

# i: session hijack - body change
for d in ["DEVA", "DEVB"]: login("alice", ALICE_PW, "i", d)
print(devices("i"))
s, j = req("i", "POST", D, {"devices": ["DEVA"]}, token=tok, note="start session for deleting DEVA")
SI = j["session"]
req("i", "POST", D, {"devices": ["DEVB"], "auth": pw_auth(SI)}, token=tok, note="complete password stage on session started for [DEVA], but body now devices [DEVB]")
print(devices("i"))
# i: different URI
s, j = req("i", "POST", D, {"devices": ["DEVA"]}, token=tok, note="start session S2 on delete_devices")
SI2 = j["session"]
req("i", "POST", "/_matrix/client/v3/account/password", {"new_password": "pw-Alice-2", "logout_devices": False, "auth": pw_auth(SI2)}, token=tok, note="account/password with delete_devices session S2 + correct password")
req("i", "POST", "/_matrix/client/v3/account/password", {"new_password": "pw-Alice-2", "logout_devices": False, "auth": {"session": SI2}}, token=tok, note="account/password with delete_devices session S2, session-only auth")
req("i", "DELETE", "/_matrix/client/v3/devices/DEVA", {"auth": pw_auth(SI2)}, token=tok, note="DELETE /devices/DEVA with delete_devices session S2 + correct password")
req("i", "POST", D, {"devices": ["DEVA"], "auth": pw_auth(SI2)}, token=tok, note="back on original URI with S2 + correct password")
print(devices("i"))
# i: register session used on delete_devices
req("i", "POST", D, {"devices": ["NOPE"], "auth": pw_auth(st["S"])}, token=tok, note="delete_devices with the (completed) registration session from case a")

# j: replay
for d in ["DEVC1", "DEVC2", "DEVC3"]: login("alice", ALICE_PW, "j", d)
print(devices("j"))
s, j = req("j", "POST", D, {"devices": ["DEVC1"]}, token=tok, note="start session SJ")
SJ = j["session"]
req("j", "POST", D, {"devices": ["DEVC1"], "auth": pw_auth(SJ)}, token=tok, note="complete with correct password -> success expected")
req("j", "POST", D, {"devices": ["DEVC2"], "auth": {"session": SJ}}, token=tok, note="REPLAY: same URI, devices [DEVC2], session-only auth (no password)")
print(devices("j"))
req("j", "POST", "/_matrix/client/v3/account/password", {"new_password": "pw-Alice-1", "logout_devices": False, "auth": {"session": SJ}}, token=tok, note="REPLAY cross-URI: account/password with completed SJ, session-only")
req("j", "DELETE", "/_matrix/client/v3/devices/DEVC3", {"auth": {"session": SJ}}, token=tok, note="REPLAY cross-URI: DELETE /devices/DEVC3 with completed SJ, session-only")
print(devices("j"))

# k: 12 wrong passwords on one session
s, j = req("k", "POST", D, {"devices": ["NOPE"]}, token=tok, note="start session SK")
SK = j["session"]
for n in range(12):
    req("k", "POST", D, {"devices": ["NOPE"], "auth": pw_auth(SK, pw="WRONG-pw")}, token=tok, note=f"wrong password #{n+1}")
req("k", "POST", D, {"devices": ["NOPE"], "auth": pw_auth(SK)}, token=tok, note="correct password after 12 failures, same session")

# l: another user's password
s, j = req("l", "POST", R, {"username": "bob", "password": BOB_PW}, note="register bob: no auth")
req("l", "POST", R, {"username": "bob", "password": BOB_PW, "auth": {"type": "m.login.dummy", "session": j["session"]}}, note="register bob: dummy")
login("alice", ALICE_PW, "l", "DEVL")
s, j = req("l", "POST", D, {"devices": ["DEVL"]}, token=tok, note="start session SL as alice")
SL = j["session"]
req("l", "POST", D, {"devices": ["DEVL"], "auth": pw_auth(SL, user="bob", pw=BOB_PW)}, token=tok, note="alice's token, bob's identifier + bob's correct password")
req("l", "POST", D, {"devices": ["DEVL"], "auth": {"session": SL}}, token=tok, note="after bob-password attempt: session-only")
req("l", "POST", D, {"devices": ["DEVL"], "auth": pw_auth(SL, user="@alice:localhost")}, token=tok, note="same session, alice full-MXID identifier + correct password")
print(devices("l"))

# n: bogus access token
req("n", "GET", "/_matrix/client/v3/account/whoami", token="bogus_token_123", note="bogus access token")
req("n", "GET", "/_matrix/client/v3/account/whoami", note="no access token")
req("n", "POST", D, {"devices": ["X"]}, token="bogus_token_123", note="delete_devices with bogus access token")
dump("results1_part2.json")
pickle.dump({**st, "tok": tok}, open("state2.pkl", "wb"))
