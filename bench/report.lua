-- wrk hook used by bench/run: after a run, prints one line that bench/run parses.
-- Latencies are in microseconds, duration is the run's wall time in microseconds.
-- status = responses with status >= 400 (what wrk calls "Non-2xx or 3xx responses");
-- bench/run checks each URL answers 2xx before measuring, so redirects cannot hide here.
--
-- Optional, from the environment (wrk takes a single script, so variants live here):
--   BENCH_SKIP_STEP, BENCH_SKIP_SPAN: rewrite the URL's skip=<n> on every request to
--   (counter * STEP) % SPAN, counter counting this thread's requests, so a paged listing is
--   not one page served over and over (each wrk thread counts on its own).

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

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH_RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d status=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    e.status, e.connect, e.read, e.write, e.timeout))
end
