-- wrk script: identify-and-ensure-bucket for a new user on every request (each wrk thread
-- takes its own range of the seeded users), so every request creates a bucket in GCS.
local token = os.getenv("UB_TOKEN")
local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
local threads = 0

setup = function(thread)
  thread:set("first", threads * 1000000)
  threads = threads + 1
end

init = function()
  next_user = first
end

request = function()
  next_user = next_user + 1
  local id = string.format("00000000-0000-4000-8000-%012d", next_user)
  return wrk.format("POST", "/functions/v1/user-bucket-service", headers,
    '{"action":"identify-and-ensure-bucket","userId":"' .. id .. '"}')
end
