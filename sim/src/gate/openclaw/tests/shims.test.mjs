// The driver's two process-wide shims, tried on real loopback HTTP and the real node:dns module.
// Run with `node --test sim/src/gate/openclaw/tests/`.

import assert from "node:assert/strict";
import dns from "node:dns";
import http from "node:http";
import { after, before, test } from "node:test";
import { installDnsAnswer, installFetchRedirect } from "../shims.mjs";

let server;
let base;
const seen = [];
const lines = [];

before(async () => {
  server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ url: req.url }));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${server.address().port}`;
  installFetchRedirect(base, (line) => lines.push(line));
  installDnsAnswer((line) => lines.push(line));
});

after(() => server.close());

test("a provider origin is sent to the api base with its path and query kept", async () => {
  const response = await fetch("https://api.twilio.com/2010-04-01/Accounts/AC1/Calls/CA1.json?x=1");
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { url: "/2010-04-01/Accounts/AC1/Calls/CA1.json?x=1" });
  assert.ok(lines.some((l) => l.includes("-> " + base + "/2010-04-01/Accounts/AC1/Calls/CA1.json?x=1: 200")));
});

test("each of the three providers' origins is redirected, a Request object too", async () => {
  for (const url of ["https://api.plivo.com/v1/Account/MA1/Call/", "https://api.telnyx.com/v2/calls"]) {
    const response = await fetch(new Request(url, { method: "POST", body: "{}" }));
    assert.equal(response.status, 200);
  }
  assert.ok(seen.includes("POST /v1/Account/MA1/Call/"));
  assert.ok(seen.includes("POST /v2/calls"));
});

test("a pinned dispatcher is dropped from a redirected request", async () => {
  // An object that is no undici dispatcher makes fetch fail if it is passed on.
  const response = await fetch("https://api.twilio.com/2010-04-01/x", { dispatcher: { notADispatcher: true } });
  assert.equal(response.status, 200);
});

test("a host that only looks like a provider origin is not redirected", async () => {
  await assert.rejects(fetch("https://api.twilio.com.invalid/x", { signal: AbortSignal.timeout(3000) }));
  assert.ok(lines.some((l) => l.includes("api.twilio.com.invalid/x (not a provider origin")));
});

test("the wrapper carries the mock object the compiled SSRF guard checks for", () => {
  assert.equal(typeof globalThis.fetch.mock, "object");
});

test("a provider host resolves to loopback through every form of node:dns lookup", async () => {
  const one = await new Promise((resolve, reject) =>
    dns.lookup("api.twilio.com", (err, address, family) => (err ? reject(err) : resolve({ address, family }))));
  assert.deepEqual(one, { address: "127.0.0.1", family: 4 });
  const all = await new Promise((resolve, reject) =>
    dns.lookup("API.PLIVO.COM", { all: true }, (err, list) => (err ? reject(err) : resolve(list))));
  assert.deepEqual(all, [{ address: "127.0.0.1", family: 4 }]);
  assert.deepEqual(await dns.promises.lookup("api.telnyx.com", { all: true }), [{ address: "127.0.0.1", family: 4 }]);
  // The compiled builds import the function by name from the ES module.
  const { lookup } = await import("node:dns/promises");
  assert.deepEqual(await lookup("api.twilio.com"), { address: "127.0.0.1", family: 4 });
});

test("another host name goes to the system resolver unanswered by the shim", async () => {
  const before = lines.length;
  const result = await dns.promises.lookup("localhost");
  assert.ok(["127.0.0.1", "::1"].includes(result.address));
  assert.ok(!lines.slice(before).some((l) => l.startsWith("dns localhost")));
});
