#!/usr/bin/env node
// Runs one published version of OpenClaw's voice-call extension as a callproof subject.
//
//   node [--import tsx] driver.mjs PREPARED_DIR      (the command line prepare.mjs prints)
//
// The subject contract (sim/CONTRACTS.md, section 2) comes in as environment variables; the control API
// goes out on 127.0.0.1:$CALLPROOF_CONTROL_PORT. In between, the extension runs as its own code: its
// runtime factory builds its provider, its call manager (which reloads its store) and its webhook server
// with its signature checks. The driver only points the providers' hard-coded origins at the emulator
// (a fetch wrapper and a DNS answer for the SSRF guard), builds the config, and maps the control routes
// onto the manager's own methods. It never retries, fixes or filters anything the extension does.

import dns from "node:dns";
import fs from "node:fs";
import http from "node:http";
import { syncBuiltinESMExports } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

const PROVIDER_HOSTS = ["api.twilio.com", "api.plivo.com", "api.telnyx.com"];
const started = Date.now();

// The extension logs with console.log; stdout is kept for the ready line, so everything goes to stderr.
function log(message) {
  process.stderr.write(`[callproof-driver +${Date.now() - started}ms] ${message}\n`);
}
for (const level of ["log", "info", "debug"]) {
  console[level] = (...args) => process.stderr.write(`${args.map(String).join(" ")}\n`);
}

function usage(message) {
  process.stderr.write(`driver.mjs: ${message}\n`);
  process.exit(2);
}

// --- The subject contract's environment.

function env(name, fallback) {
  const value = process.env[name];
  if (value === undefined || value === "") {
    if (fallback !== undefined) return fallback;
    usage(`${name} is not set (see the subject contract)`);
  }
  return value;
}

function intEnv(name, fallback) {
  const text = env(name, fallback === undefined ? undefined : String(fallback));
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) usage(`${name} must be a non-negative integer, got ${JSON.stringify(text)}`);
  return value;
}

function readSettings() {
  const provider = env("CALLPROOF_PROVIDER");
  if (!["twilio", "plivo", "telnyx"].includes(provider)) usage(`CALLPROOF_PROVIDER must be twilio, plivo or telnyx, got ${provider}`);
  const apiBase = env("CALLPROOF_API_BASE").replace(/\/+$/, "");
  let publicUrl;
  try {
    publicUrl = new URL(env("CALLPROOF_PUBLIC_URL"));
  } catch {
    usage("CALLPROOF_PUBLIC_URL is not a URL");
  }
  const reaper = process.env.CALLPROOF_OPENCLAW_STALE_REAPER_SECONDS;
  return {
    provider,
    apiBase,
    publicUrl,
    fromNumber: env("CALLPROOF_FROM_NUMBER"),
    webhookPort: intEnv("CALLPROOF_WEBHOOK_PORT"),
    controlPort: intEnv("CALLPROOF_CONTROL_PORT"),
    store: env("CALLPROOF_STORE"),
    maxConcurrentCalls: intEnv("CALLPROOF_MAX_CONCURRENT_CALLS", 1),
    maxDurationSeconds: intEnv("CALLPROOF_MAX_DURATION_SECONDS", 300),
    inboundPolicy: env("CALLPROOF_INBOUND_POLICY", "disabled"),
    allowFrom: env("CALLPROOF_ALLOW_FROM", "").split(",").map((s) => s.trim()).filter(Boolean),
    notifyHangupDelaySec: intEnv("CALLPROOF_NOTIFY_HANGUP_DELAY_SEC", 3),
    staleReaperSeconds: reaper === undefined || reaper === "" ? null : intEnv("CALLPROOF_OPENCLAW_STALE_REAPER_SECONDS"),
  };
}

// --- Pointing the providers at the emulator.

/**
 * Wraps the global fetch: requests to a provider's hard-coded origin go to the emulator instead, without
 * a pinned dispatcher (which would bypass the rewrite). The wrapper carries a `mock` object because the
 * 2026.4 SSRF guard sends through the global fetch only when it looks like a test double; otherwise it
 * uses undici's own fetch and the rewrite would never see the request.
 */
function installFetchRedirect(apiBase) {
  const original = globalThis.fetch;
  const origins = PROVIDER_HOSTS.map((host) => `https://${host}`);
  const rewrite = (url) => {
    for (const origin of origins) {
      if (url === origin || url.startsWith(`${origin}/`) || url.startsWith(`${origin}?`)) {
        return apiBase + url.slice(origin.length);
      }
    }
    return null;
  };
  const redirected = async function callproofFetch(input, init) {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input?.url;
    const target = typeof url === "string" ? rewrite(url) : null;
    const method = init?.method ?? (typeof input === "object" && !(input instanceof URL) ? input.method : "GET");
    if (target === null) {
      log(`fetch ${method} ${url} (not a provider origin, sent as is)`);
      return original(input, init);
    }
    const options = { ...(init ?? {}) };
    delete options.dispatcher;
    const request = typeof input === "object" && !(input instanceof URL) ? new Request(target, input) : target;
    // Logged for evidence: a lookup that threw here is one the provider never answered.
    try {
      const response = await original(request, options);
      log(`fetch ${method} ${url} -> ${target}: ${response.status}`);
      return response;
    } catch (err) {
      log(`fetch ${method} ${url} -> ${target}: threw ${err?.cause?.code ?? err?.message ?? err}`);
      throw err;
    }
  };
  redirected.mock = { callproof: "provider origins rewritten to the emulator" };
  globalThis.fetch = redirected;
}

/**
 * Answers node:dns lookups of the provider hosts with 127.0.0.1: the SSRF guard resolves the host before
 * every status lookup, and this machine has no DNS. Other names go to the system resolver as before.
 */
function installDnsAnswer() {
  const isProvider = (hostname) => PROVIDER_HOSTS.includes(String(hostname).toLowerCase());
  const answer = (hostname, options) => {
    // Logged: a lookup here with no redirected fetch after it means the request left by another path.
    log(`dns ${hostname} -> 127.0.0.1`);
    const all = typeof options === "object" && options !== null && options.all === true;
    const one = { address: "127.0.0.1", family: 4 };
    return all ? [one] : one;
  };
  const lookup = dns.lookup;
  dns.lookup = function callproofLookup(hostname, options, callback) {
    const cb = typeof options === "function" ? options : callback;
    const opts = typeof options === "function" ? {} : options;
    if (!isProvider(hostname)) return lookup.call(dns, hostname, options, callback);
    const result = answer(hostname, opts);
    process.nextTick(() => (Array.isArray(result) ? cb(null, result) : cb(null, result.address, result.family)));
    return undefined;
  };
  const promisesLookup = dns.promises.lookup;
  dns.promises.lookup = async function callproofPromisesLookup(hostname, options) {
    if (!isProvider(hostname)) return promisesLookup.call(dns.promises, hostname, options);
    return answer(hostname, options);
  };
  // `import { lookup } from "node:dns"` and "node:dns/promises" see the patched functions only after this.
  syncBuiltinESMExports();
}

// --- The config the extension gets, in its own schema's terms.

function buildConfig(settings, hasKey) {
  const credentials = {
    twilio: () => ({ accountSid: env("TWILIO_ACCOUNT_SID"), authToken: env("TWILIO_AUTH_TOKEN") }),
    plivo: () => ({ authId: env("PLIVO_AUTH_ID"), authToken: env("PLIVO_AUTH_TOKEN") }),
    telnyx: () => ({
      apiKey: env("TELNYX_API_KEY"),
      connectionId: env("TELNYX_CONNECTION_ID"),
      ...(process.env.TELNYX_PUBLIC_KEY ? { publicKey: process.env.TELNYX_PUBLIC_KEY } : {}),
    }),
  };
  const config = {
    enabled: true,
    provider: settings.provider,
    fromNumber: settings.fromNumber,
    [settings.provider]: credentials[settings.provider](),
    serve: { port: settings.webhookPort, bind: "127.0.0.1", path: settings.publicUrl.pathname },
    publicUrl: settings.publicUrl.href,
    store: settings.store,
    maxConcurrentCalls: settings.maxConcurrentCalls,
    maxDurationSeconds: settings.maxDurationSeconds,
    inboundPolicy: settings.inboundPolicy,
    allowFrom: settings.allowFrom,
    outbound: { defaultMode: "notify", notifyHangupDelaySec: settings.notifyHangupDelaySec },
  };
  if (settings.staleReaperSeconds !== null) {
    if (hasKey("staleCallReaperSeconds")) config.staleCallReaperSeconds = settings.staleReaperSeconds;
    else log("CALLPROOF_OPENCLAW_STALE_REAPER_SECONDS ignored: this version has no stale-call reaper");
  }
  return config;
}

// --- The control API.

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size > 64 * 1024) {
        reject(new Error("request body too large"));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      if (!text.trim()) return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new Error("request body is not JSON"));
      }
    });
    req.on("error", reject);
  });
}

/** Sorts the manager's failure text into the contract's kinds; the text itself is passed through. */
function failureKind(text) {
  if (/Maximum concurrent calls/i.test(text)) return { status: 409, kind: "capacity" };
  if (/not found/i.test(text)) return { status: 404, kind: "not_found" };
  if (/twilio|plivo|telnyx|api error|fetch failed|ECONN|socket|network|timeout/i.test(text)) {
    return { status: 502, kind: "provider" };
  }
  if (/invalid|E\.164|required/i.test(text)) return { status: 400, kind: "invalid" };
  return { status: 500, kind: "internal" };
}

function refuse(res, text) {
  const { status, kind } = failureKind(text);
  send(res, status, { error: kind === "capacity" ? `capacity reached: ${text}` : text, kind });
}

function callView(call) {
  return {
    callId: call.callId,
    providerCallId: call.providerCallId ?? null,
    state: call.state,
    direction: call.direction,
    from: call.from,
    to: call.to,
  };
}

function startControl(port, state) {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    const route = `${req.method} ${url.pathname}`;
    try {
      if (route === "GET /health") {
        return send(res, state.manager ? 200 : 503, { ready: Boolean(state.manager) });
      }
      if (!state.manager) return send(res, 503, { error: "not ready", kind: "internal" });
      const m = state.methods;
      if (route === "GET /calls") {
        return send(res, 200, { calls: m.active.call(state.manager).map(callView) });
      }
      if (route === "POST /calls") {
        const body = await readJson(req);
        if (typeof body.to !== "string" || !body.to) return send(res, 400, { error: "`to` is required", kind: "invalid" });
        const mode = body.mode ?? "notify";
        if (mode !== "notify" && mode !== "conversation") return send(res, 400, { error: `unknown mode ${mode}`, kind: "invalid" });
        const options = { mode, ...(typeof body.message === "string" && body.message ? { message: body.message } : {}) };
        log(`control: ${m.initiate.name}(${body.to}, mode=${mode})`);
        const result = await m.initiate.call(state.manager, body.to, undefined, options);
        log(`control: ${m.initiate.name} -> ${JSON.stringify(result)}`);
        if (result?.success) return send(res, 200, { callId: result.callId });
        return refuse(res, String(result?.error ?? "call failed without an error text"));
      }
      const end = /^\/calls\/([^/]+)\/end$/.exec(url.pathname);
      if (req.method === "POST" && end) {
        const callId = decodeURIComponent(end[1]);
        log(`control: ${m.end.name}(${callId})`);
        const result = await m.end.call(state.manager, callId);
        log(`control: ${m.end.name} -> ${JSON.stringify(result)}`);
        if (result?.success) return send(res, 200, { ok: true });
        return refuse(res, String(result?.error ?? "end failed without an error text"));
      }
      return send(res, 404, { error: `no route ${route}`, kind: "not_found" });
    } catch (err) {
      log(`control: ${route} threw: ${err?.stack ?? err}`);
      return send(res, 500, { error: String(err?.message ?? err), kind: "internal" });
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

// --- Loading the version.

/** The manager's methods by the names this version gives them (the same names in every published one). */
function managerMethods(manager) {
  const find = (names, what) => {
    for (const name of names) {
      if (typeof manager[name] === "function") return { name, call: (self, ...args) => self[name](...args) };
    }
    throw new Error(`this version's call manager has no ${what} method (looked for ${names.join(", ")})`);
  };
  return {
    initiate: find(["initiateCall"], "initiate-call"),
    end: find(["endCall", "hangupCall"], "end-call"),
    active: find(["getActiveCalls"], "active-calls"),
  };
}

async function main() {
  const root = process.argv[2];
  if (!root) usage("usage: driver.mjs PREPARED_DIR (run the command prepare.mjs prints)");
  let prepared;
  try {
    prepared = JSON.parse(fs.readFileSync(path.join(root, "prepared.json"), "utf8"));
  } catch (err) {
    usage(`${root} is not a prepared version (${err.message}); run prepare.mjs first`);
  }
  const settings = readSettings();
  fs.mkdirSync(settings.store, { recursive: true });
  const state = { manager: null, methods: null, runtime: null };
  await startControl(settings.controlPort, state);
  log(`${prepared.package}@${prepared.version} (${prepared.form}); control API on 127.0.0.1:${settings.controlPort}`);

  installFetchRedirect(settings.apiBase);
  installDnsAnswer();

  const entry = await import(pathToFileURL(path.join(root, prepared.entry)).href);
  const configModule = prepared.configEntry ? await import(pathToFileURL(path.join(root, prepared.configEntry)).href) : null;
  const configSource = prepared.configEntry ? fs.readFileSync(path.join(root, prepared.configEntry), "utf8") : null;
  // The compiled builds (2026.3.22 on) all have the reaper; the source ones say so in their config.ts.
  const hasKey = (key) => (configSource === null ? true : configSource.includes(key));
  let config = buildConfig(settings, hasKey);
  // The OpenClaw app validates a plugin's config with its schema before handing it over; 2026.1.24's
  // runtime relies on that for every default.
  if (configModule?.VoiceCallConfigSchema) config = configModule.VoiceCallConfigSchema.parse(config);
  if (typeof entry.createVoiceCallRuntime !== "function") {
    throw new Error(`${prepared.entry} exports no createVoiceCallRuntime`);
  }
  const logger = {
    info: (m) => log(`openclaw info: ${m}`),
    warn: (m) => log(`openclaw warn: ${m}`),
    error: (m) => log(`openclaw error: ${m}`),
    debug: (m) => log(`openclaw debug: ${m}`),
  };
  const runtime = await entry.createVoiceCallRuntime({ config, coreConfig: {}, logger });
  state.runtime = runtime;
  state.methods = managerMethods(runtime.manager);
  state.manager = runtime.manager;
  log(`ready in ${Date.now() - started}ms; webhook ${runtime.webhookUrl}; ${state.methods.active.call(runtime.manager).length} active call(s) after load`);
  process.stdout.write("callproof-subject ready\n");

  const stop = async (signal) => {
    log(`${signal}: stopping`);
    // A stop that hangs (a webhook connection held open) must not keep the process alive for the gate.
    setTimeout(() => process.exit(0), 2000).unref();
    try {
      await runtime.stop();
    } finally {
      process.exit(0);
    }
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}

main().catch((err) => {
  log(`failed to start: ${err?.stack ?? err}`);
  process.exit(1);
});
