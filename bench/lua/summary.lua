-- Prints wrk's figures as one machine-readable line for bench/run.py.
-- The write-mix script `dofile`s it.

function bench_summary(summary, latency)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"p50_us":%.0f,"p99_us":%.0f,' ..
    '"status_errors":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end

function done(summary, latency, requests)
  bench_summary(summary, latency)
end
