-- Cross-check of bench/throughput.py with wrk (Debian package `wrk`): posts valid responses of one
-- survey shape, each with a unique submission key, and counts 201s. wrk cannot say which keys were
-- acknowledged, so the row-count check stays with throughput.py; see docs/benchmarks.md.
--   wrk -t1 -c64 -d10s -s bench/wrk_submit.lua http://127.0.0.1:PORT/ -- survey16
-- Shapes (as in bench/shapes.py): ballot (Make Your Mark, 4 answers), survey8 (young people's voice,
-- 8 questions), survey16 (sexual-health survey, all 16 questions shown), mixed (ballot and survey8 in
-- turn, the default), all (the three in turn). tests/test_bench_bodies.py checks every answer set
-- below against the survey files, so a changed survey cannot leave this script posting 422s.
local surveys = {
  ["make-your-mark"] = {
    '{"vote":"crime_and_safety","why":"Shorter waits to talk to someone about how I feel.","age_band":"11_15","area":"outside_york"}',
    '{"vote":"environment","why":"Teachers who listen when you tell them something is wrong.","age_band":"11_15","area":"outside_york"}',
    '{"vote":"education_and_learning","why":"Better buses at night, and cheaper ones.","age_band":"under_11","area":"west"}',
  },
  ["young-people-voice"] = {
    '{"what_matters":["getting_around","mental_health","school"],"listened_to":"never","views_difference":"not_sure","make_better":"Teachers who listen when you tell them something is wrong.","talk_to":["parent_carer","friend","family"],"age_band":"under_11","area":"prefer_not_to_say"}',
    '{"what_matters":["getting_around","school","things_to_do"],"listened_to":"mostly","views_difference":"yes","make_better":"Shorter waits to talk to someone about how I feel.","talk_to":["school_staff","helpline"],"age_band":"prefer_not_to_say","area":"west"}',
    '{"what_matters":["things_to_do","environment","school"],"listened_to":"mostly","views_difference":"no","make_better":"Shorter waits to talk to someone about how I feel.","talk_to":["family","friend","youth_worker"],"age_band":"16_18","area":"outside_york"}',
  },
  ["sexual-health-young-people"] = {
    '{"found_out":["school_college","other"],"found_out_other":"Shorter waits to talk to someone about how I feel.","info_easy":"hard","times_used":2,"how_booked":"someone_else","booking_ease":"very_easy","booking_good":["kind_staff"],"felt_respected":"neutral","felt_listened_to":"strongly_disagree","not_judged":"agree","felt_private":"strongly_agree","recommend":"no","what_was_hard":"Teachers who listen when you tell them something is wrong.","could_be_better":"Teachers who listen when you tell them something is wrong.","age_band":"19_25","area":"south"}',
    '{"found_out":["website","friend_family","other"],"found_out_other":"Teachers who listen when you tell them something is wrong.","info_easy":"hard","times_used":3,"how_booked":"other","booking_ease":"quite_easy","booking_good":["kind_staff","easy_online"],"felt_respected":"neutral","felt_listened_to":"agree","not_judged":"strongly_disagree","felt_private":"neutral","recommend":"maybe","what_was_hard":"Better buses at night, and cheaper ones.","could_be_better":"More places to go in the evening that feel safe.","age_band":"under_16","area":"prefer_not_to_say"}',
    '{"found_out":["other","school_college"],"found_out_other":"Better buses at night, and cheaper ones.","info_easy":"took_a_while","times_used":8,"how_booked":"phone","booking_ease":"quite_hard","booking_good":["kind_staff"],"felt_respected":"agree","felt_listened_to":"strongly_disagree","not_judged":"agree","felt_private":"neutral","recommend":"maybe","what_was_hard":"More places to go in the evening that feel safe.","could_be_better":"Shorter waits to talk to someone about how I feel.","age_band":"16_18","area":"outside_york"}',
  },
}
local shapes = {
  ballot = {"make-your-mark"},
  survey8 = {"young-people-voice"},
  survey16 = {"sexual-health-young-people"},
  mixed = {"make-your-mark", "young-people-voice"},
  all = {"make-your-mark", "young-people-voice", "sexual-health-young-people"},
}
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  created, other, counter = 0, 0, 0
  shape = args[1] or "mixed"
  if shapes[shape] == nil then
    error("unknown shape '" .. shape .. "': ballot, survey8, survey16, mixed or all")
  end
  -- Every (path, answers) pair of the shape; surveys alternate request by request (ballot, survey8,
  -- ballot, ...), as in bench/throughput.py.
  choices = {}
  for i = 1, 3 do
    for _, slug in ipairs(shapes[shape]) do
      table.insert(choices, {"/api/surveys/" .. slug .. "/responses", surveys[slug][i]})
    end
  end
  prefix = string.format("wrk%d-%d-", os.time(), id)
end

function request()
  counter = counter + 1
  local choice = choices[(counter % #choices) + 1]
  local body = '{"answers":' .. choice[2] .. ',"submission_key":"' .. prefix .. counter .. '"}'
  return wrk.format("POST", choice[1], {["Content-Type"] = "application/json"}, body)
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
