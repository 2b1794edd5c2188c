-- wrk script for bench/rush.py: each request is the next enrolment attempt
-- from the file BENCH_ATTEMPTS (one a line: path, Cookie header and form
-- body, tab-separated), sent once. Thread k of BENCH_THREADS sends the
-- lines k, k + BENCH_THREADS, ... in order and stops when every one of them
-- has been answered (then it leaves a file in BENCH_DONE). wrk follows no
-- redirect: a 303 counts as an answer.
-- done() prints one JSON line with the counts per status class and the
-- latencies.

local threads = {}

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

local lines = {}
local next_line = 1
local queue = {}
local delayed = false
local answered = 0

-- Per-thread counts, read by done() through thread:get().
c2xx, c3xx, c4xx, c5xx, cother = 0, 0, 0, 0, 0

function init(args)
  local file = os.getenv("BENCH_ATTEMPTS")
  local every = tonumber(os.getenv("BENCH_THREADS") or "1")
  local n = 0
  for line in io.lines(file) do
    if line ~= "" then
      n = n + 1
      if (n - 1) % every == (thread_id - 1) then
        local path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)$")
        table.insert(lines, wrk.format("POST", path, {
          ["Cookie"] = cookie,
          ["Content-Type"] = "application/x-www-form-urlencoded",
        }, body))
      end
    end
  end
  quota = #lines
end

-- delay() runs once before each request a connection sends: it reserves
-- the next line (or, when none is left, parks the connection for an hour;
-- the thread stops long before).
function delay()
  delayed = true
  if next_line > #lines then
    return 3600000
  end
  table.insert(queue, next_line)
  next_line = next_line + 1
  return 0
end

function request()
  local index = table.remove(queue, 1)
  if index == nil then
    if not delayed then
      -- wrk checks the script with one request() before any connection:
      -- hand it a line without using it up.
      return lines[1] or wrk.format("POST", "/")
    end
    index = next_line
    next_line = next_line + 1
  end
  return lines[index] or wrk.format("GET", "/bench/bare/")
end

function response(status, headers, body)
  if status >= 500 then c5xx = c5xx + 1
  elseif status >= 400 then c4xx = c4xx + 1
  elseif status >= 300 then c3xx = c3xx + 1
  elseif status >= 200 then c2xx = c2xx + 1
  else cother = cother + 1 end
  answered = answered + 1
  if answered == quota then
    -- wrk's main thread sleeps for the whole -d: bench/rush.py sees this
    -- file from every thread and interrupts it (SIGINT), which ends the run.
    local marker = io.open(os.getenv("BENCH_DONE") .. "/" .. thread_id, "w")
    marker:close()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local s = {c2xx = 0, c3xx = 0, c4xx = 0, c5xx = 0, cother = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(s) do
      s[name] = s[name] + (thread:get(name) or 0)
    end
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, '
    .. '"status": {"2xx": %d, "3xx": %d, "4xx": %d, "5xx": %d, "other": %d}, '
    .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
    .. '"latency_ms": {"p50": %.2f, "p90": %.2f, "p99": %.2f, "max": %.2f}}\n',
    summary.requests, summary.duration, summary.bytes,
    s.c2xx, s.c3xx, s.c4xx, s.c5xx, s.cother,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
