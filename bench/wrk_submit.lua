-- Cross-check of bench/throughput.py with wrk (Debian package `wrk`): posts the one-question ballot
-- with a unique submission key per request and counts 201s. wrk cannot say which keys were
-- acknowledged, so the row-count check stays with throughput.py; see docs/benchmarks.md.
--   wrk -t1 -c64 -d10s -s bench/wrk_submit.lua http://127.0.0.1:PORT/
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  created, other, counter = 0, 0, 0
  prefix = string.format("wrk%d-%d-", os.time(), id)
end

function request()
  counter = counter + 1
  local body = '{"answers":{"vote":"environment"},"submission_key":"' .. prefix .. counter .. '"}'
  return wrk.format("POST", "/api/surveys/make-your-mark/responses", {["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  if status == 201 then created = created + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local c, o = 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    o = o + t:get("other")
  end
  io.write(string.format("wrk submit: %d created, %d other, %.0f/s; p50 %.1fms p95 %.1fms p99 %.1fms\n",
    c, o, c / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
