-- wrk script: identify-and-ensure-bucket with a different seeded number each request, in the
-- formats callers send. UB_TOKEN is a service-role JWT.
local token = os.getenv("UB_TOKEN")
local users = tonumber(os.getenv("UB_BENCH_USERS") or "100000")
local formats = {
  function(n) return string.format("+55 (11) 9%04d-%04d", math.floor(n / 10000), n % 10000) end,
  function(n) return string.format("55119%08d", n) end,
  function(n) return string.format("whatsapp:+55119%08d", n) end,
  function(n) return string.format("55119%08d@s.whatsapp.net", n) end,
}
-- UB_BENCH_PATH: another path for the same requests (bench/identify.sh's UB_BENCH_NGINX_ONLY).
local path = os.getenv("UB_BENCH_PATH") or "/functions/v1/user-bucket-service"
local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }

request = function()
  local n = 60000000 + math.random(1, users)
  local number = formats[math.random(1, #formats)](n)
  local body = '{"action":"identify-and-ensure-bucket","whatsappNumber":"' .. number .. '"}'
  return wrk.format("POST", path, headers, body)
end
