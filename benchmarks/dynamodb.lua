-- wrk script: DynamoDB GetItem or PutItem of ~1 KB items over keep-alive connections.
--
--   BENCH_OP=GetItem BENCH_ITEMS=1000 BENCH_TABLE=bench wrk -t1 -c32 -d10s \
--       -s benchmarks/dynamodb.lua http://127.0.0.1:8000/
--
-- Each wrk thread builds a ring of ready-made requests in init(), so request()
-- only returns a prebuilt string: the load generator spends its time on I/O.
-- done() prints one JSON line (prefixed "BENCH ") that bench_server.py reads.

local operation = os.getenv("BENCH_OP") or "GetItem"
local item_count = tonumber(os.getenv("BENCH_ITEMS") or "1000")
local table_name = os.getenv("BENCH_TABLE") or "bench"
local payload_bytes = tonumber(os.getenv("BENCH_PAYLOAD") or "1000")
local RING = 4096

local ring = {}
local position = 0

local function key_of(index)
  return string.format("item-%06d", index)
end

local function body_of(index, payload)
  local key = key_of(index)
  if operation == "GetItem" then
    return string.format('{"TableName":"%s","Key":{"pk":{"S":"%s"}}}', table_name, key)
  end
  return string.format(
    '{"TableName":"%s","Item":{"pk":{"S":"%s"},"n":{"N":"%d"},"payload":{"S":"%s"}}}',
    table_name, key, index, payload
  )
end

local threads_made = 0

function setup(thread)
  thread:set("thread_id", threads_made)
  threads_made = threads_made + 1
end

function init(args)
  -- A different, fixed random sequence per thread: runs are comparable.
  math.randomseed(tonumber(os.getenv("BENCH_SEED") or "7") + thread_id)
  local payload = string.rep("x", payload_bytes)
  local headers = {
    ["Content-Type"] = "application/x-amz-json-1.0",
    ["X-Amz-Target"] = "DynamoDB_20120810." .. operation,
    ["X-Amz-Date"] = "20250101T000000Z",
    -- Well-formed but unsigned: emulators parse it (region, key), none verifies it.
    ["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/dynamodb/"
      .. "aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature="
      .. string.rep("0", 64),
  }
  for slot = 1, RING do
    ring[slot] = wrk.format("POST", "/", headers, body_of(math.random(0, item_count - 1), payload))
  end
end

function request()
  position = position % RING + 1
  return ring[position]
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_us":%d,"p99_us":%d,"max_us":%d,'
      .. '"non2xx":%d,"socket_errors":%d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(99), latency.max,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout
  ))
end
