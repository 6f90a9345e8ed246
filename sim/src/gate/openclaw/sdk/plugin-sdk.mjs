// callproof's stand-in for `openclaw/plugin-sdk` (and `openclaw/plugin-sdk/voice-call`).
//
// The voice-call extension's TypeScript source (2026.2.12 to 2026.3.13) imports a handful of helpers from
// the OpenClaw app's plugin SDK. The real SDK pulls in most of the app, so the driver gives the extension
// this package instead. Each helper does what the extension relies on and nothing more; none of them
// touches call state, so the extension's own behaviour is what the gate judges.

import dns from "node:dns";
import { z } from "zod";

/** Resolves after `ms` milliseconds (the extension's CLI polls with it). */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(ms) || 0)));
}

// --- TTS config schemas: the extension nests them in its own zod config. The gate never configures TTS,
// so they accept what OpenClaw's config accepts in shape and keep unknown keys.

/** When replies are spoken. */
export const TtsAutoSchema = z.enum(["off", "always", "inbound", "tagged"]);
/** Which replies are spoken. */
export const TtsModeSchema = z.enum(["final", "all"]);
/** The TTS back end. */
export const TtsProviderSchema = z.enum(["openai", "elevenlabs", "edge"]);
/** The `tts` block of the voice-call config; optional, unknown keys kept. */
export const TtsConfigSchema = z
  .object({
    auto: TtsAutoSchema.optional(),
    enabled: z.boolean().optional(),
    mode: TtsModeSchema.optional(),
    provider: TtsProviderSchema.optional(),
  })
  .passthrough()
  .optional();

/** OpenAI's TTS takes style instructions only on its instruction-following model. */
export function resolveOpenAITtsInstructions(model, instructions) {
  const text = typeof instructions === "string" ? instructions.trim() : "";
  if (!text) return undefined;
  return String(model ?? "").includes("gpt-4o-mini-tts") ? text : undefined;
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
