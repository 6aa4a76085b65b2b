-- wrk hook used by bench/run: after a run, prints one line that bench/run parses.
-- Latencies are in microseconds, duration is the run's wall time in microseconds.
-- status = responses with status >= 400 (what wrk calls "Non-2xx or 3xx responses");
-- bench/run checks each URL answers 2xx before measuring, so redirects cannot hide here.

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH_RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d status=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    e.status, e.connect, e.read, e.write, e.timeout))
end
