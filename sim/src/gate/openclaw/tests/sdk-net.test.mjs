// The stand-in SDK's request-body limits and SSRF guard, on real loopback HTTP.
// Run with `node --test sim/src/gate/openclaw/tests/`.

import assert from "node:assert/strict";
import http from "node:http";
import { test } from "node:test";
import { fetchWithSsrFGuard, isRequestBodyLimitError, readRequestBodyWithLimit, requestBodyErrorToText } from "../sdk/net.mjs";

/** Serves one request through readRequestBodyWithLimit and answers what it read or the error code. */
async function withBodyServer(limits, send) {
  const server = http.createServer(async (req, res) => {
    try {
      const body = await readRequestBodyWithLimit(req, limits);
      res.end(`ok:${body}`);
    } catch (err) {
      res.end(isRequestBodyLimitError(err) ? `err:${err.code}` : `other:${err}`);
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    return await send(`http://127.0.0.1:${server.address().port}/`);
  } finally {
    server.close();
  }
}

function post(url, chunks, gapMs = 0) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST" }, (res) => {
      let text = "";
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve(text));
    });
    req.on("error", (err) => resolve(`client:${err.code}`));
    (async () => {
      for (const chunk of chunks) {
        req.write(chunk);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
      req.end();
    })().catch(reject);
  });
}

test("a body within the limit is read whole", async () => {
  const answer = await withBodyServer({ maxBytes: 100, timeoutMs: 2000 }, (url) => post(url, ["CallSid=CA1&", "CallStatus=ringing"]));
  assert.equal(answer, "ok:CallSid=CA1&CallStatus=ringing");
});

test("a body over the limit is refused as payload too large", async () => {
  const answer = await withBodyServer({ maxBytes: 10, timeoutMs: 2000 }, (url) => post(url, ["x".repeat(64)]));
  assert.ok(answer === "err:PAYLOAD_TOO_LARGE" || answer.startsWith("client:"), answer);
});

test("a body that stalls past the time limit is refused with a timeout", async () => {
  const answer = await withBodyServer({ maxBytes: 100, timeoutMs: 100 }, (url) => post(url, ["a", "b"], 400));
  assert.equal(answer, "err:REQUEST_BODY_TIMEOUT");
  assert.equal(requestBodyErrorToText("PAYLOAD_TOO_LARGE"), "Payload Too Large");
});

test("the guard refuses a host that resolves to a private address and is not on the allow list", async () => {
  await assert.rejects(
    fetchWithSsrFGuard({ url: "http://localhost:9/", policy: { allowedHostnames: ["api.twilio.com"] } }),
    (err) => err.name === "SsrFBlockedError",
  );
});

test("the guard refuses what is not http or https", async () => {
  await assert.rejects(fetchWithSsrFGuard({ url: "file:///etc/passwd", policy: {} }), /must be http or https/);
});

test("the guard sends an allowed host's request through the given fetch without following redirects", async () => {
  const calls = [];
  const fetchImpl = async (url, init) => {
    calls.push({ url, redirect: init.redirect, method: init.method });
    return new Response("{}", { status: 200 });
  };
  const { response, release } = await fetchWithSsrFGuard({
    url: "http://localhost:9/2010-04-01/x.json",
    init: { method: "GET" },
    policy: { allowedHostnames: ["localhost"] },
    fetchImpl,
  });
  assert.equal(response.status, 200);
  await release();
  assert.deepEqual(calls, [{ url: "http://localhost:9/2010-04-01/x.json", redirect: "manual", method: "GET" }]);
});
