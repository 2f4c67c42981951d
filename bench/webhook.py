"""Writes signed Chatwoot message_created deliveries for bench/webhook.sh: one per line,
"<timestamp>\t<signature>\t<body>", each a new message (unique id, from the optional first id
on) from one of many senders."""
import hashlib, hmac, json, sys, time

secret, count, template_path, out_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
first_id = int(sys.argv[5]) if len(sys.argv) > 5 else 500_000_000
template = json.load(open(template_path))
now = str(int(time.time()))
with open(out_path, "w") as out:
    for i in range(count):
        template["id"] = first_id + i
        template["content"] = f"Bench message {i}: lembrar de comprar pão e café amanhã cedo."
        template["sender"]["id"] = 10_000 + i % 5_000
        template["sender"]["phone_number"] = f"+55119{60000000 + i % 5000:08d}"
        template["conversation"]["meta"]["sender"]["phone_number"] = template["sender"]["phone_number"]
        template["conversation"]["id"] = 20_000 + i % 5_000
        template["conversation"].pop("messages", None)
        body = json.dumps(template, separators=(",", ":"), ensure_ascii=False)
        signature = "sha256=" + hmac.new(secret.encode(), (now + "." + body).encode(), hashlib.sha256).hexdigest()
        out.write(f"{now}\t{signature}\t{body}\n")
