-- wrk script for bench/catalog.py.
-- With BENCH_PATHS (a file of request paths, one a line) every request takes
-- the next path and a unique "r" parameter, so no two requests share a cache
-- key. done() prints one JSON line with the counts and latencies.

local paths = nil
local counter = 0
local threads = {}

-- thread_id is a global of each thread's interpreter, set by setup().
function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  local file = os.getenv("BENCH_PATHS")
  if file ~= nil and file ~= "" then
    paths = {}
    for line in io.lines(file) do
      if line ~= "" then table.insert(paths, line) end
    end
  end
end

function request()
  if paths == nil then
    return wrk.format()
  end
  counter = counter + 1
  local path = paths[(counter % #paths) + 1]
  local sep = string.find(path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, path .. sep .. "r=" .. (thread_id or 0) .. "-" .. counter)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, '
    .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
    .. '"latency_ms": {"p50": %.2f, "p90": %.2f, "p99": %.2f, "max": %.2f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
