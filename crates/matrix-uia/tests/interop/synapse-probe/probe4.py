from probe_lib import *
R = "/_matrix/client/v3/register"; L = "/_matrix/client/v3/login"
RT = "m.login.registration_token"
s, j = req("m", "POST", L, {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": "admin"}, "password": "admin-pw-1"}, note="admin login")
atok = j["access_token"]
s, j = req("m", "POST", "/_synapse/admin/v1/registration_tokens/new", {"token": "tok-ABC", "uses_allowed": 1}, token=atok, note="create token (admin API)")
TOKEN = j["token"]
req("m", "GET", "/_matrix/client/v1/register/m.login.registration_token/validity?token=" + TOKEN, note="validity check (valid)")
req("m", "GET", "/_matrix/client/v1/register/m.login.registration_token/validity?token=nope", note="validity check (invalid)")
s, j = req("m", "POST", R, {"username": "dave", "password": "pw-Dave-1"}, note="register, no auth (token required)")
S = j["session"]
req("m", "POST", R, {"username": "dave", "password": "pw-Dave-1", "auth": {"type": "m.login.dummy", "session": S}}, note="dummy only (token required)")
req("m", "POST", R, {"username": "dave", "password": "pw-Dave-1", "auth": {"type": RT, "session": S}}, note="token stage, token field missing")
req("m", "POST", R, {"username": "dave", "password": "pw-Dave-1", "auth": {"type": RT, "token": "invalid-token", "session": S}}, note="token stage, invalid token")
req("m", "POST", R, {"username": "dave", "password": "pw-Dave-1", "auth": {"type": RT, "token": 7, "session": S}}, note="token stage, token is an int")
req("m", "POST", R, {"username": "dave", "password": "pw-Dave-1", "auth": {"type": RT, "token": "bad chars!", "session": S}}, note="token stage, token with invalid chars")
req("m", "GET", "/_synapse/admin/v1/registration_tokens/" + TOKEN, token=atok, note="token state before valid use")
s, j = req("m", "POST", R, {"username": "dave", "password": "pw-Dave-1", "auth": {"type": RT, "token": TOKEN, "session": S}}, note="token stage, VALID token")
if s == 401:
    req("m", "POST", R, {"username": "dave", "password": "pw-Dave-1", "auth": {"type": "m.login.dummy", "session": S}}, note="follow-up dummy stage")
req("m", "GET", "/_synapse/admin/v1/registration_tokens/" + TOKEN, token=atok, note="token state after use")
# exhausted token
s, j = req("m", "POST", R, {"username": "erin", "password": "pw-Erin-1"}, note="register erin, no auth")
S2 = j["session"]
req("m", "POST", R, {"username": "erin", "password": "pw-Erin-1", "auth": {"type": RT, "token": TOKEN, "session": S2}}, note="token already used up (uses_allowed=1)")
# auth-only body (stored params) for registration
s, j = req("m", "POST", "/_synapse/admin/v1/registration_tokens/new", {"token": "tok-DEF"}, token=atok, note="create unlimited token")
s, j = req("m", "POST", R, {"username": "frank", "password": "pw-Frank-1"}, note="register frank, no auth")
S3 = j["session"]
s, j = req("m", "POST", R, {"auth": {"type": RT, "token": "tok-DEF", "session": S3}}, note="token stage, body has ONLY auth (params from session)")
if s == 401:
    req("m", "POST", R, {"auth": {"type": "m.login.dummy", "session": S3}}, note="dummy stage, body has ONLY auth")
dump("results3.json")
