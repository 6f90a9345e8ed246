// The stand-in SDK's helpers that need no package: sleep, request bodies with limits, the SSRF guard.

import dns from "node:dns";

/** Resolves after `ms` milliseconds (the extension's CLI polls with it). */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(ms) || 0)));
}

// --- Request bodies with a size and time limit (the webhook server reads every callback through it).

const BODY_ERROR_TEXT = {
  PAYLOAD_TOO_LARGE: "Payload Too Large",
  REQUEST_BODY_TIMEOUT: "Request body timeout",
  CONNECTION_CLOSED: "Connection closed",
};

class RequestBodyLimitError extends Error {
  constructor(code) {
    super(BODY_ERROR_TEXT[code] ?? code);
    this.name = "RequestBodyLimitError";
    this.code = code;
  }
}

/** True when `err` is a body-limit error, of `code` when one is given. */
export function isRequestBodyLimitError(err, code) {
  if (!(err instanceof RequestBodyLimitError)) return false;
  return code === undefined || err.code === code;
}

/** The text a webhook answers for a body-limit error code. */
export function requestBodyErrorToText(code) {
  return BODY_ERROR_TEXT[code] ?? String(code);
}

/** Reads a request body as UTF-8, failing past `maxBytes` or after `timeoutMs`. */
export function readRequestBodyWithLimit(req, options = {}) {
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    let settled = false;
    const finish = (err, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk) => {
      size += chunk.length;
      if (size > maxBytes) {
        finish(new RequestBodyLimitError("PAYLOAD_TOO_LARGE"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish(null, Buffer.concat(chunks).toString("utf8"));
    const onError = (err) => finish(err);
    const onClose = () => finish(new RequestBodyLimitError("CONNECTION_CLOSED"));
    const timer = setTimeout(() => finish(new RequestBodyLimitError("REQUEST_BODY_TIMEOUT")), timeoutMs);
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}

// --- The SSRF guard the providers' status lookups go through (from 2026.3.1). Like OpenClaw's, it
// resolves the host with node:dns first and refuses private addresses unless the host is on the
// caller's allow list; then it sends with the global fetch, redirects not followed.

/** Thrown when the guard refuses a URL. */
export class SsrFBlockedError extends Error {
  constructor(message) {
    super(message);
    this.name = "SsrFBlockedError";
  }
}

function isPrivateAddress(address) {
  if (address === "::1" || address.startsWith("fe80:") || address.startsWith("fc") || address.startsWith("fd")) {
    return true;
  }
  const v4 = address.replace(/^::ffff:/, "");
  const parts = v4.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p))) return false;
  const [a, b] = parts;
  return (
    a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127)
  );
}

/** Fetches `url` after checking where its host resolves; answers `{response, finalUrl, release}`. */
export async function fetchWithSsrFGuard(params) {
  let url;
  try {
    url = new URL(params.url);
  } catch {
    throw new Error("Invalid URL: must be http or https");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error("Invalid URL: must be http or https");
  }
  const allowed = new Set((params.policy?.allowedHostnames ?? []).map((h) => String(h).toLowerCase()));
  const hostname = url.hostname.toLowerCase();
  const addresses = await dns.promises.lookup(hostname, { all: true });
  if (addresses.length === 0) {
    throw new SsrFBlockedError(`Unable to resolve ${hostname}`);
  }
  if (!allowed.has(hostname) && addresses.some((a) => isPrivateAddress(a.address))) {
    throw new SsrFBlockedError(`Blocked: ${hostname} resolves to a private address`);
  }
  const fetchImpl = params.fetchImpl ?? globalThis.fetch;
  const response = await fetchImpl(url.toString(), { ...(params.init ?? {}), redirect: "manual" });
  return { response, finalUrl: url.toString(), release: async () => {} };
}
