#!/usr/bin/env python3
"""The cross-host checks of scripts/multihost.sh, run on its client host (standard library,
psql and ip only). Exits non-zero with the failed checks listed."""
import base64
import hashlib
import hmac
import json
import os
import random
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid

env = os.environ
APP1, APP2, FRONT, GCS = env["APP1"], env["APP2"], env["FRONT"], env["GCS"]
failures = []


def check(condition, what):
    print(("ok    " if condition else "FAIL  ") + what, flush=True)
    if not condition:
        failures.append(what)


def token():
    b = lambda d: base64.urlsafe_b64encode(d).rstrip(b"=").decode()
    head = b(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b(json.dumps({"iss": "supabase", "role": "service_role", "exp": 4102444800}).encode())
    signature = hmac.new(env["SUPABASE_JWT_SECRET"].encode(), (head + "." + body).encode(), hashlib.sha256).digest()
    return head + "." + body + "." + b(signature)


SERVICE = token()


def sql(query):
    out = subprocess.run(["psql", env["DATABASE_URL"], "-tA", "-f", "-"], input=query, check=True, capture_output=True, text=True).stdout
    return [line.split("|") for line in out.strip().splitlines() if line]


def post(base, function, body, headers=None, timeout=10):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(f"{base}/functions/v1/{function}", data=data, method="POST")
    request.add_header("Content-Type", "application/json")
    for name, value in (headers or {"Authorization": "Bearer " + SERVICE}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, None
    except Exception:
        return 0, None


def at_once(calls):
    """Runs the (function, args) calls in threads started together; their results in order."""
    results = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(index, call):
        start.wait()
        results[index] = call[0](*call[1])

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def new_user(whatsapp=None):
    user = str(uuid.uuid4())
    sql(f"INSERT INTO auth.users (id) VALUES ('{user}')")
    sql(f"INSERT INTO public.profiles (id, user_id, whatsapp_number) VALUES (gen_random_uuid(), '{user}', "
        + (f"'{whatsapp}'" if whatsapp else "NULL") + ")")
    return user


def gcs_json(path):
    with urllib.request.urlopen(GCS + path, timeout=10) as response:
        return json.loads(response.read())


# 1. 64 first ensures for one user, split over both hosts, at once.
user = new_user()
calls = [(post, (APP1 if i % 2 else APP2, "user-bucket-service", {"action": "identify-and-ensure-bucket", "userId": user}))
         for i in range(64)]
answers = at_once(calls)
check(all(status == 200 for status, _ in answers), "64 concurrent first ensures over two hosts all answer 200")
names = {body["data"]["bucketName"] for status, body in answers if status == 200}
new = sum(1 for status, body in answers if status == 200 and body["data"]["isNewBucket"])
check(len(names) == 1, f"one bucket name for them all ({len(names)})")
check(new == 1, f"exactly one isNewBucket: true ({new})")
check(sql(f"SELECT count(*) FROM user_bucket_mapping WHERE user_id = '{user}'") == [["1"]], "one user_bucket_mapping row")
bucket = names.pop() if names else ""
check(gcs_json(f"/storage/v1/b/{bucket}").get("name") == bucket, "the bucket exists in the shared storage")

# 2. One Chatwoot message delivered to both hosts at once.
phone = "+55119" + str(random.randint(60000000, 99999999))
owner = new_user(whatsapp=phone)
fixture = open(env["FIXTURE"]).read()
for original in ["+5511987654321", "+5521998765432"]:
    fixture = fixture.replace(original, phone).replace(original[1:], phone[1:])
message = json.loads(fixture)
message_id = random.randint(1_000_000, 999_999_999)
message["id"] = message_id
payload = json.dumps(message).encode()


def deliver(base):
    stamp = str(int(time.time()))
    signature = "sha256=" + hmac.new(env["CHATWOOT_WEBHOOK_SECRET"].encode(), stamp.encode() + b"." + payload, hashlib.sha256).hexdigest()
    return post(base, "chatwoot-webhook", payload,
                {"X-Chatwoot-Timestamp": stamp, "X-Chatwoot-Signature": signature, "X-Chatwoot-Delivery": str(uuid.uuid4())})


answers = at_once([(deliver, (APP1 if i % 2 else APP2,)) for i in range(16)])
check(all(status == 200 for status, _ in answers), "16 copies of one message over two hosts all answer 200")
check(sql(f"SELECT count(*) FROM meeting_notes WHERE chatwoot_message_id = '{message_id}'") == [["1"]], "one meeting_notes row")
gate = sql(f"SELECT bucket_name, object_path FROM userbuckets_chatwoot_messages WHERE message_id = {message_id}")
check(len(gate) == 1, "one gate row")
stored = 0
path = gate[0][1] if gate else ""
for listed in gcs_json("/storage/v1/b?project=local").get("items", []):
    found = gcs_json(f"/storage/v1/b/{listed['name']}/o?prefix={urllib.request.quote(path)}").get("items", [])
    stored += len(found)
check(stored == 1, f"one object, in one bucket ({stored})")
check(gate and gate[0][0] == sql(f"SELECT bucket_name FROM user_bucket_mapping WHERE user_id = '{owner}'")[0][0],
      "in the sender's own bucket")

# 3. A profile changed in the database, seen by both hosts' caches.
number = "+55119" + str(random.randint(60000000, 99999999))
later = new_user()
ask = {"action": "identify-and-ensure-bucket", "whatsappNumber": number}
before = at_once([(post, (APP1 if i % 2 else APP2, "user-bucket-service", ask)) for i in range(32)])
check(all(status == 200 and body["data"]["userId"] is None for status, body in before), "both hosts learn: nobody has the number")
sql(f"UPDATE profiles SET whatsapp_number = '{number}' WHERE user_id = '{later}'")
time.sleep(0.1)
after = at_once([(post, (APP1 if i % 2 else APP2, "user-bucket-service", ask)) for i in range(32)])
stale = sum(1 for status, body in after if status != 200 or body["data"]["userId"] != later)
check(stale == 0, f"100 ms later both hosts name the user ({stale} stale answers)")

# 4. app2 killed under load behind the upstream that spans both hosts.
users = [str(uuid.uuid4()) for _ in range(4000)]
sql("INSERT INTO auth.users (id) VALUES " + ",".join(f"('{u}')" for u in users))
acknowledged, failed, lock = [], [], threading.Lock()
stop = threading.Event()
queue = iter(users)


def load():
    while not stop.is_set():
        with lock:
            user = next(queue, None)
        if user is None:
            return
        status, body = post(FRONT, "user-bucket-service", {"action": "identify-and-ensure-bucket", "userId": user}, timeout=15)
        with lock:
            (acknowledged if status == 200 else failed).append((user, body["data"]["bucketName"] if status == 200 else status))


workers = [threading.Thread(target=load) for _ in range(16)]
for worker in workers:
    worker.start()
time.sleep(2)
served_before = len(acknowledged)
pids = subprocess.run(["ip", "netns", "pids", env["NETNS_APP2"]], capture_output=True, text=True).stdout.split()
subprocess.run(["kill", "-KILL", *pids])
time.sleep(3)
stop.set()
for worker in workers:
    worker.join()
check(served_before > 0 and len(acknowledged) > served_before, f"load went on after app2 died ({served_before} → {len(acknowledged)})")
check(len(failed) <= 16, f"only requests in flight when app2 died failed ({len(failed)}, 16 connections)")
rows = dict(tuple(row) for row in sql(
    "SELECT user_id, bucket_name FROM user_bucket_mapping WHERE user_id IN (" + ",".join(f"'{u}'" for u, _ in acknowledged) + ")"))
lost = [u for u, name in acknowledged if rows.get(u) != name]
check(not lost, f"every acknowledged ensure has its row and bucket ({len(acknowledged)} acknowledged, {len(lost)} lost)")

print(f"\n{len(failures)} failed" if failures else "\nall checks passed")
raise SystemExit(1 if failures else 0)
