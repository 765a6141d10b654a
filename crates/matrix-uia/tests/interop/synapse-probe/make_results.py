import json
runs = [("Run 1 (generous rc_login, registration_requires_token=false)", ["results1_part1.json", "results1_part2.json"]),
        ("Run 2 (DEFAULT rc_login, i.e. rc_login block removed; registration_requires_token=false)", ["results2.json"]),
        ("Run 3 (registration_requires_token=true, generous rc_login)", ["results3.json", "results4.json"]),
        ("probe6: failed UIA attempts across sessions (2026-12-02)", ["results6.json"])]
titles = {"a": "a. register with no auth", "b": "b. complete registration (dummy)", "c": "c. login twice",
 "d": "d. delete_devices, no auth", "e": "e. wrong password", "f": "f. bogus session id",
 "g": "g. auth type not offered (m.login.dummy) + session-only follow-up (+ extra malformed stages)",
 "h": "h. auth not an object / type not a string (delete_devices, account/password, register, DELETE /devices/{id})",
 "i": "i. session hijack: changed body, changed URI",
 "j": "j. replay of a completed session", "k": "k. 12 wrong passwords (generous rc_login)",
 "k2": "k2. 12 wrong passwords with DEFAULT rc_login (failed_attempts 0.17/s burst 3)",
 "l": "l. another user's correct password", "m": "m. registration tokens", "n": "n. bad access token",
 "x": "x. extras (no session, omitted body params, identifier variants, malformed JSON)",
 "p6s": "p6s. setup: DEFAULT rc_login (failed_attempts 0.17/s burst 3, address 0.003/s burst 5), fresh Synapse process; register grace (token from /register, no /login)",
 "p6a": "p6a. 20 wrong passwords on delete_devices, each in a NEW UIA session",
 "p6b": "p6b. correct password in a new session straight after p6a",
 "p6c": "p6c. 20 wrong passwords in ONE UIA session, then the correct one",
 "p6d": "p6d. for comparison: 10 wrong /login attempts for grace",
 "p6e": "p6e. correct UIA password while /login is limited for grace"}
out = [open("summary.md").read(), "\n# Raw results\n"]
for title, files in runs:
    out.append(f"\n## {title}\n")
    cur = None
    for fn in files:
        for e in json.load(open(fn)):
            if e["case"] != cur:
                cur = e["case"]; out.append(f"\n### {titles[cur]}\n")
            rb = e["request_body"]
            rbs = rb if isinstance(rb, str) and e["note"] == "malformed JSON" else json.dumps(rb)
            out.append(f"- **{e['note'] or 'request'}**\n\n  ```\n  {e['method']} {e['path']}" + (f"\n  Authorization: {e['auth_header']}" if e['auth_header'] else "")
                       + (f"\n  {rbs}" if rb is not None else "") + f"\n  --> {e['status']}\n  {e['response_raw']}\n  ```\n")
open("results.md", "w").write("".join(out))
