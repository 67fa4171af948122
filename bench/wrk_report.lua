-- Prints one JSON line after a wrk run: service-time percentiles (microseconds) and errors.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "status_errors": %d, "connect_errors": %d,'
      .. ' "read_errors": %d, "timeouts": %d, "p50": %d, "p95": %d, "p99": %d, "mean": %.1f,'
      .. ' "min": %d, "max": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.status, e.connect, e.read, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean,
    latency.min, latency.max))
end
