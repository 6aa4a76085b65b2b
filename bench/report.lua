-- wrk hook used by bench/run: after a run, prints one line that bench/run parses.
-- Latencies are in microseconds, duration is the run's wall time in microseconds.
-- status = responses with status >= 400 (what wrk calls "Non-2xx or 3xx responses");
-- bench/run checks each URL answers 2xx before measuring, so redirects cannot hide here.
--
-- Optional, from the environment (wrk takes a single script, so variants live here):
--   BENCH_SKIP_STEP, BENCH_SKIP_SPAN: rewrite the URL's skip=<n> on every request to
--   (counter * STEP) % SPAN, counter counting this thread's requests, so a paged listing is
--   not one page served over and over (each wrk thread counts on its own).
--   BENCH_OADR_POLLS: see below.

local skip_step = tonumber(os.getenv("BENCH_SKIP_STEP") or "")
local skip_span = tonumber(os.getenv("BENCH_SKIP_SPAN") or "")

if skip_step and skip_span and skip_span > 0 then
  if not wrk.path:find("[?&]skip=%d*") then
    io.stderr:write("report.lua: BENCH_SKIP_STEP is set but the URL has no skip= parameter\n")
    os.exit(2)
  end
  local counter = 0
  request = function()
    local skip = (counter * skip_step) % skip_span
    counter = counter + 1
    local path = wrk.path:gsub("([?&]skip=)%d*", "%1" .. skip)
    return wrk.format(nil, path)
  end
end

-- BENCH_OADR_POLLS: a file of "venID<TAB>token" lines; every request is an OpenADR 2.0b oadrPoll
-- (POST, application/xml, as OpenLEADR writes it) for the next VEN in turn, with its bearer token.
-- Each wrk thread starts at its own place in the list.
local oadr_polls = os.getenv("BENCH_OADR_POLLS")
if oadr_polls then
  local polls = {}
  local next_poll = 1
  -- Built in init, once wrk has set the Host header the requests need.
  init = function(args)
    for line in io.lines(oadr_polls) do
      local ven, token = line:match("^([^\t]+)\t([^\t]+)$")
      if ven then
        local body = '<?xml version="1.0" encoding="utf-8"?>\n<oadrPayload xmlns="http://openadr.org/oadr-2.0b/2012/07">'
          .. '<oadrSignedObject><oadrPoll xmlns:ei="http://docs.oasis-open.org/ns/energyinterop/201110" '
          .. 'ei:schemaVersion="2.0b"><ei:venID>' .. ven .. '</ei:venID></oadrPoll></oadrSignedObject></oadrPayload>'
        polls[#polls + 1] = wrk.format("POST", wrk.path, { ["Host"] = wrk.headers["Host"],
          ["Content-Type"] = "application/xml", ["Authorization"] = "Bearer " .. token }, body)
      end
    end
    if #polls == 0 then
      io.stderr:write("report.lua: no venID<TAB>token lines in " .. oadr_polls .. "\n")
      os.exit(2)
    end
    math.randomseed(tonumber(tostring({}):match("0x(%x+)") or "1", 16) % 2147483647)
    next_poll = math.random(#polls)
  end
  request = function()
    next_poll = next_poll % #polls + 1
    return polls[next_poll]
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH_RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d status=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    e.status, e.connect, e.read, e.write, e.timeout))
end
