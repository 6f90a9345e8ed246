// The naive restart of an OpenClaw-style gateway, as a yardstick for
// `callproof bench`: read the whole journal, JSON.parse every line, keep the
// last record per callId, count the calls left non-terminal.
// Usage: node replay_naive.js FILE   ->  prints one JSON line.
"use strict";
const fs = require("fs");
const TERMINAL = new Set(["completed", "hangup-user", "hangup-bot", "timeout", "error",
  "failed", "no-answer", "busy", "voicemail"]);
const start = process.hrtime.bigint();
const last = new Map();
let lines = 0;
for (const line of fs.readFileSync(process.argv[2], "utf8").split("\n")) {
  if (line.trim() === "") continue;
  lines += 1;
  try {
    const record = JSON.parse(line);
    if (record && typeof record.callId === "string") last.set(record.callId, record);
  } catch (_) { /* a torn line costs itself */ }
}
let live = 0;
for (const record of last.values()) if (!TERMINAL.has(record.state)) live += 1;
const ms = Number(process.hrtime.bigint() - start) / 1e6;
console.log(JSON.stringify({ ms, lines, calls: last.size, live, peak_kib: process.resourceUsage().maxRSS }));
