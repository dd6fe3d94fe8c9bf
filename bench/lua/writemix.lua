-- The write mix on minted tenants. Each thread owns every THREADS-th key of KEYFILE and
-- goes over its keys in rounds; a round is one step for every key, in this cycle:
--   POST /cart/items, DELETE /cart/items/<id>  [, POST /orders, POST /orders/<no>/cancel]
-- A first round of GET /cart lets the connections settle. Every tenant is a fresh copy of
-- the same story and makes the same calls in the same order, so in a round they all get
-- the same new cart line id and order number (SPEC §9: per-tenant id sequences); the ids
-- are read from the previous round's responses. A thread holds four times more keys than
-- connections, so a key's previous step has been answered before its next one is sent.
-- Any failure shows up in wrk's non-2xx count.
-- Usage: wrk ... -s writemix.lua URL -- KEYFILE THREADS cart|orders
dofile(debug.getinfo(1, "S").source:sub(2):gsub("writemix%.lua$", "summary.lua"))

local count = 0
function setup(thread)
  thread:set("index", count)
  count = count + 1
end

local CART_ITEM = '{"productId":12345,"skuId":"s001","quantity":1}'
local ORDER = '{"items":[{"productId":"12345","skuId":"s001","quantity":1}],"remark":"bench"}'
local CANCEL = '{"reason":"bench"}'

local keys = {}
local steps = 2
local position = 0
local step = -1  -- a first round of GET /cart lets every connection settle
local cart_id = nil
local order_no = nil
-- wrk calls thread 0's request() once before the run to check it and discards the result
-- (script_verify_request): that call must not advance a tenant.
local verified = true

function init(args)
  local threads = tonumber(args[2])
  local i = 0
  for line in io.lines(args[1]) do
    if line ~= "" then
      if i % threads == index then
        keys[#keys + 1] = line
      end
      i = i + 1
    end
  end
  if args[3] == "orders" then
    steps = 4
  end
  verified = index ~= 0
end

function request()
  if not verified then
    verified = true
    return wrk.format("GET", "/cart")
  end
  position = position + 1
  if position > #keys then
    position = 1
    step = (step + 1) % steps
  end
  local headers = {
    ["Authorization"] = "Bearer " .. keys[position],
    ["Content-Type"] = "application/json",
  }
  if step == -1 then
    return wrk.format("GET", "/cart", headers)
  elseif step == 1 and cart_id ~= nil then
    return wrk.format("DELETE", "/cart/items/" .. cart_id, headers)
  elseif step == 2 then
    return wrk.format("POST", "/orders", headers, ORDER)
  elseif step == 3 and order_no ~= nil then
    return wrk.format("POST", "/orders/" .. order_no .. "/cancel", headers, CANCEL)
  end
  return wrk.format("POST", "/cart/items", headers, CART_ITEM)
end

function response(status, headers, body)
  if status == 201 then
    local id = body:match('^{"data":{"id":(%d+)')
    if id ~= nil then
      cart_id = id
    else
      local no = body:match('"orderNo":"([^"]+)"')
      if no ~= nil then
        order_no = no
      end
    end
  end
end
