-- wrk script: knowledge-base uploads of UB_BENCH_BYTES-byte text files, every one different
-- (a unique 12-byte prefix: base64 concatenates cleanly at 3-byte boundaries), or `list`.
local token = os.getenv("UB_TOKEN")
local bytes = tonumber(os.getenv("UB_BENCH_BYTES") or "102400")
local mode = os.getenv("UB_BENCH_MODE") or "upload"
local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function b64(data)
  return ((data:gsub(".", function(x)
    local r, b = "", x:byte()
    for i = 8, 1, -1 do r = r .. (b % 2 ^ i - b % 2 ^ (i - 1) > 0 and "1" or "0") end
    return r
  end) .. "0000"):gsub("%d%d%d?%d?%d?%d?", function(x)
    if #x < 6 then return "" end
    local c = 0
    for i = 1, 6 do c = c + (x:sub(i, i) == "1" and 2 ^ (6 - i) or 0) end
    return alphabet:sub(c + 1, c + 1)
  end) .. ({ "", "==", "=" })[#data % 3 + 1])
end
local rest = b64(string.rep("lorem ipsum dolor sit amet ", math.ceil(bytes / 27)):sub(1, bytes - 12 - (bytes - 12) % 3))
local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
local counter = 0
local threads = 0
setup = function(thread) thread:set("id", threads); threads = threads + 1 end
request = function()
  if mode == "list" then
    return wrk.format("POST", "/functions/v1/knowledge-base-storage", headers, '{"action":"list","limit":100}')
  end
  counter = counter + 1
  local prefix = b64(string.format("%02d%010d", id, counter))
  return wrk.format("POST", "/functions/v1/knowledge-base-storage", headers,
    '{"action":"upload","file":{"name":"bench.txt","type":"text/plain","content":"' .. prefix .. rest .. '"}}')
end
