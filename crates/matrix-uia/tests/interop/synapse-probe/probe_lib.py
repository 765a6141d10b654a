import json, urllib.request, urllib.error
BASE = "http://127.0.0.1:18448"
LOG = []
def req(case, method, path, body=None, token=None, raw_body=None, note=""):
    data = None
    if raw_body is not None:
        data = raw_body.encode()
    elif body is not None:
        data = json.dumps(body).encode()
    r = urllib.request.Request(BASE + path, data=data, method=method)
    if data is not None:
        r.add_header("Content-Type", "application/json")
    if token:
        r.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(r) as resp:
            status, text = resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode()
    try:
        parsed = json.loads(text)
    except Exception:
        parsed = None
    entry = {"case": case, "note": note, "method": method, "path": path,
             "auth_header": ("Bearer <" + token[:10] + "...>") if token else None,
             "request_body": raw_body if raw_body is not None else body,
             "status": status, "response_raw": text, "response": parsed}
    LOG.append(entry)
    print(f"[{case}] {method} {path} {json.dumps(entry['request_body'])}\n   -> {status} {text}")
    return status, parsed
def dump(fn):
    json.dump(LOG, open(fn, "w"), indent=1)
