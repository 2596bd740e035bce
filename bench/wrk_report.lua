-- wrk script of the vibe benchmarks: an optional bearer token (first script argument), an optional
-- pause in milliseconds before each request of a connection (second argument: paced load instead of
-- full speed), and a JSON summary line at the end, so the figures are read exactly rather than from
-- wrk's rounded text.

function init(args)
  if args[1] ~= nil and args[1] ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. args[1]
  end
  local pause = tonumber(args[2] or "")
  if pause ~= nil and pause > 0 then
    delay = function() return pause end
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"errors_connect":%d,"errors_read":%d,' ..
    '"errors_write":%d,"errors_status":%d,"errors_timeout":%d,"mean_us":%.1f,"max_us":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d}\n',
    summary.requests, summary.duration, summary.bytes, errors.connect, errors.read, errors.write,
    errors.status, errors.timeout, latency.mean, latency.max, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency:percentile(99.9)))
end
