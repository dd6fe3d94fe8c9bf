-- POST /logistics/calculate-freight-batch with the reference's example body: a validated
-- POST whose reply is computed (no state changes), for bench/run.py.
dofile(debug.getinfo(1, "S").source:sub(2):gsub("freight%.lua$", "summary.lua"))

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"country":"US","weight":1500,"length":30,"width":20,"height":15}'
