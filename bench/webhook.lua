-- wrk script: signed message_created deliveries from bench/webhook.py's file (UB_BENCH_DELIVERIES);
-- each wrk thread takes every n-th line, so no message is sent twice.
local threads = {}
local counter = 0

setup = function(thread)
  thread:set("index", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

init = function()
  local total = tonumber(os.getenv("UB_BENCH_THREADS") or "2")
  deliveries = {}
  local n = 0
  for line in io.lines(os.getenv("UB_BENCH_DELIVERIES")) do
    if n % total == index then
      local stamp, signature, body = line:match("^(%d+)\t([^\t]+)\t(.*)$")
      table.insert(deliveries, wrk.format("POST", "/functions/v1/chatwoot-webhook", {
        ["Content-Type"] = "application/json", ["X-Chatwoot-Timestamp"] = stamp, ["X-Chatwoot-Signature"] = signature }, body))
    end
    n = n + 1
  end
  next_delivery = 0
end

request = function()
  next_delivery = next_delivery + 1
  return deliveries[(next_delivery - 1) % #deliveries + 1]
end
