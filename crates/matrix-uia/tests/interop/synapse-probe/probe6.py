from probe_lib import *
import time
# Run with configure.py --default-rc-login (rc_login.failed_attempts 0.17/s burst 3, rc_login.address 0.003/s burst 5).
# Question: does Synapse's AuthHandler._failed_uia_attempts_ratelimiter ever answer 429 to failed UIA passwords?
R = "/_matrix/client/v3/register"; L = "/_matrix/client/v3/login"; D = "/_matrix/client/v3/delete_devices"
USER = "grace"; PW = "pw-Grace-1"; N = 20
T0 = time.monotonic()
def t(): return f"t=+{time.monotonic() - T0:.1f} s"
def pw_auth(S, pw=PW):
    return {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": USER}, "password": pw, "session": S}
def tally(rows): return ", ".join(f"{k} x{v}" for k, v in sorted({r: rows.count(r) for r in rows}.items()))

# setup: register grace (dummy stage); the access token comes from /register, so /login's limiters are untouched
s, j = req("p6s", "POST", R, {"username": USER, "password": PW}, note="register, no auth")
s, j = req("p6s", "POST", R, {"username": USER, "password": PW, "auth": {"type": "m.login.dummy", "session": j["session"]}}, note="register, dummy stage")
tok = j["access_token"]
# a: N wrong passwords, each in a NEW UIA session
rows = []
for n in range(N):
    s, j = req("p6a", "POST", D, {"devices": ["NOPE"]}, token=tok, note=f"#{n+1}: start a new session ({t()})")
    if s != 401 or "session" not in (j or {}):
        rows.append(f"start {s} {(j or {}).get('errcode')}"); continue
    s, j = req("p6a", "POST", D, {"devices": ["NOPE"], "auth": pw_auth(j["session"], pw="WRONG-pw")}, token=tok, note=f"#{n+1}: wrong password in that new session ({t()})")
    rows.append(f"{s} {(j or {}).get('errcode')}")
print("a:", tally(rows))
# b: the right password in a new session, straight after
s, j = req("p6b", "POST", D, {"devices": ["NOPE"]}, token=tok, note=f"start a new session ({t()})")
s, j = req("p6b", "POST", D, {"devices": ["NOPE"], "auth": pw_auth(j["session"])}, token=tok, note=f"correct password straight after the {N} failures ({t()})")
print("b:", s, j)
# c: N wrong passwords within ONE session
s, j = req("p6c", "POST", D, {"devices": ["NOPE"]}, token=tok, note=f"start one session ({t()})")
S = j["session"]; rows = []
for n in range(N):
    s, j = req("p6c", "POST", D, {"devices": ["NOPE"], "auth": pw_auth(S, pw="WRONG-pw")}, token=tok, note=f"#{n+1}: wrong password, same session ({t()})")
    rows.append(f"{s} {(j or {}).get('errcode')}")
print("c:", tally(rows))
s, j = req("p6c", "POST", D, {"devices": ["NOPE"], "auth": pw_auth(S)}, token=tok, note=f"correct password, same session ({t()})")
print("c, correct:", s, j)
# d: for comparison, 10 wrong /login attempts for the same user
rows = []
for n in range(10):
    s, j = req("p6d", "POST", L, {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": USER}, "password": "WRONG-pw"}, note=f"#{n+1}: wrong password on /login ({t()})")
    rows.append(f"#{n+1} {s} {(j or {}).get('errcode')}" + (f" retry_after_ms={j.get('retry_after_ms')}" if s == 429 else ""))
print("d:", "; ".join(rows))
# e: UIA with the correct password while /login is limited for this user
s, j = req("p6e", "POST", D, {"devices": ["NOPE"]}, token=tok, note=f"start a new session ({t()})")
s, j = req("p6e", "POST", D, {"devices": ["NOPE"], "auth": pw_auth(j["session"])}, token=tok, note=f"correct UIA password right after the /login 429s ({t()})")
print("e:", s, j)
dump("results6.json")
