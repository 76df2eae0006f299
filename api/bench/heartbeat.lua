-- wrk script: each request is a heartbeat of the next simulated host (or a GET of it, the baseline), round-robin
-- over the hosts in the file given after "--" (one "host-id token" per line), each thread from its own offset.
--   wrk -s heartbeat.lua URL -- hosts.txt beat|get|ping ADMIN_KEY
-- "ping" asks the admin port's /ping, which does no work: the generator's own ceiling, with the same script cost.
local hosts = {}
local mode, admin_key, next_host

local thread_count = 0
function setup(thread)
  thread:set("offset", thread_count)
  thread_count = thread_count + 1
end

function init(args)
  for line in io.lines(args[1]) do
    local id, token = line:match("^(%S+)%s+(%S+)$")
    hosts[#hosts + 1] = { id = id, token = token }
  end
  mode = args[2]
  admin_key = args[3]
  next_host = (tonumber(offset) or 0) * 7919 % #hosts
end

function request()
  if mode == "ping" then
    return wrk.format("GET", "/ping")
  end
  next_host = next_host % #hosts + 1
  local host = hosts[next_host]
  if mode == "beat" then
    return wrk.format("POST", "/v1/hosts/" .. host.id .. "/heartbeat",
      { ["X-Host-Token"] = host.token, ["Content-Type"] = "application/json" }, "{}")
  end
  return wrk.format("GET", "/v1/hosts/" .. host.id, { ["Authorization"] = "Bearer " .. admin_key })
end

-- Anything but 200 is counted, so a run that measured refusals instead of heartbeats is told apart.
local failures = 0
function response(status, headers, body)
  if status ~= 200 then
    failures = failures + 1
    if failures <= 3 then
      io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
    end
  end
end
