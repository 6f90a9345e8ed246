// What the driver changes in the process before it loads OpenClaw's code, so that a version's hard-coded
// provider origins reach the emulator: a fetch wrapper and a DNS answer. Nothing else is touched.

import dns from "node:dns";
import { syncBuiltinESMExports } from "node:module";

/** The hosts the providers' clients have hard-coded. */
export const PROVIDER_HOSTS = ["api.twilio.com", "api.plivo.com", "api.telnyx.com"];

/**
 * Wraps the global fetch: requests to a provider's hard-coded origin go to the emulator instead, without
 * a pinned dispatcher (which would bypass the rewrite). The wrapper carries a `mock` object because the
 * 2026.4 SSRF guard sends through the global fetch only when it looks like a test double; otherwise it
 * uses undici's own fetch and the rewrite would never see the request.
 */
export function installFetchRedirect(apiBase, log = () => {}) {
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
export function installDnsAnswer(log = () => {}) {
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
