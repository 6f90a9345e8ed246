#!/usr/bin/env node
// Prepares one published version of OpenClaw's voice-call extension to run as a callproof subject.
//
//   node prepare.mjs VERSION CACHE_DIR
//
// Fetches the package from the npm registry (clawdbot@2026.1.24, openclaw@VERSION otherwise) into
// CACHE_DIR, extracts the voice-call extension (TypeScript source, or the compiled runtime entry and the
// chunks beside it), installs the npm packages its runtime imports at pinned versions, and prints one JSON
// line on stdout: how to start the subject, `{"program","args","cwd","env"}`. A version already prepared
// is reused. Two processes may prepare at once: each builds in its own temporary directory and renames it
// into place; the first rename wins and the other keeps the winner's copy.
//
// Exit codes: 0 ready, 2 could not prepare (the message on stderr says why and what to do).

import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DRIVER = path.join(HERE, "driver.mjs");
const SDK_DIR = path.join(HERE, "sdk");
/** Bumped when the layout of a prepared directory changes, so that old caches are rebuilt. */
const LAYOUT = 2;
/** The stand-in SDK's files, hashed: a prepared copy of an older stand-in is rebuilt. */
function sdkHash() {
  const hash = crypto.createHash("sha256");
  for (const name of fs.readdirSync(SDK_DIR).sort()) {
    hash.update(name).update("\0").update(fs.readFileSync(path.join(SDK_DIR, name))).update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}
/** Pinned versions of what the driver adds to the extension's own dependencies. */
const PINS = { tsx: "4.23.15", undici: "7.30.2" };
const TS_EXT = "package/extensions/voice-call";
const COMPILED_ENTRY = "package/dist/extensions/voice-call/runtime-entry.js";

class PrepareError extends Error {}

function fail(message, fix) {
  throw new PrepareError(fix ? `${message}\n  fix: ${fix}` : message);
}

function log(message) {
  process.stderr.write(`[prepare] ${message}\n`);
}

/** The npm package that carries VERSION (the project was renamed after 2026.1.24). */
export function packageFor(version) {
  return version === "2026.1.24" ? "clawdbot" : "openclaw";
}

function run(program, args, options = {}) {
  try {
    return execFileSync(program, args, {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 256 * 1024 * 1024,
      ...options,
    });
  } catch (err) {
    if (err.code === "ENOENT") fail(`${program} is not on PATH`, `install node and npm (node 20 or later)`);
    const stderr = String(err.stderr ?? "").trim().split("\n").slice(-12).join("\n");
    const error = new PrepareError(`${program} ${args.join(" ")} failed (exit ${err.status}):\n${stderr}`);
    error.stderr = stderr;
    throw error;
  }
}

/** Fetches the tarball once into CACHE_DIR/tarballs (renamed into place, so never half-written). */
function fetchTarball(pkg, version, cacheDir) {
  const dir = path.join(cacheDir, "tarballs");
  fs.mkdirSync(dir, { recursive: true });
  const final = path.join(dir, `${pkg}-${version}.tgz`);
  if (fs.existsSync(final)) return final;
  const tmp = fs.mkdtempSync(path.join(dir, `.fetch-${pkg}-${version}-`));
  try {
    log(`npm pack ${pkg}@${version}`);
    let out;
    try {
      out = run("npm", ["pack", `${pkg}@${version}`, "--json", "--pack-destination", tmp], { cwd: tmp });
    } catch (err) {
      const text = String(err.stderr ?? err.message);
      if (/E404|No matching version|notarget/i.test(text)) {
        fail(`${pkg}@${version} is not on the npm registry`, `pick a version from \`npm view ${pkg} versions --json\``);
      }
      fail(`could not fetch ${pkg}@${version} from the npm registry: ${err.message}`,
        "check that the npm registry is reachable (`npm ping`) and that npm's proxy settings are right");
    }
    const name = JSON.parse(out)[0]?.filename;
    const file = name && path.join(tmp, name.replace(/^@/, "").replace("/", "-"));
    if (!file || !fs.existsSync(file)) fail(`npm pack ${pkg}@${version} wrote no tarball`, "run it by hand to see why");
    try {
      fs.renameSync(file, final);
    } catch (err) {
      if (!fs.existsSync(final)) throw err;
    }
    return final;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Which of the packaging eras the tarball is: TypeScript source or the compiled runtime entry. */
function formOf(tarball) {
  const listing = run("tar", ["-tzf", tarball]).split("\n");
  if (listing.includes(`${TS_EXT}/src/runtime.ts`)) return "ts";
  if (listing.includes(COMPILED_ENTRY)) return "compiled";
  if (listing.includes("package/dist/extensions/voice-call/index.js")) {
    fail(`${path.basename(tarball)} bundles the voice-call extension as a plugin entry only (2026.3.22 to 2026.3.24): createVoiceCallRuntime is not exported, and the plugin API it registers has no view of the active calls that GET /calls needs; not supported`,
      "use 2026.3.13 (the last TypeScript release) or 2026.3.28 and later (compiled, with runtime-entry.js)");
  }
  fail(`${path.basename(tarball)} carries no voice-call extension (neither ${TS_EXT}/src/runtime.ts nor ${COMPILED_ENTRY})`,
    "versions from 2026.5.2 on do not publish it; pick one from the table in this directory's README");
}

const STATIC_IMPORT = /^\s*(import|export)\s+(type\s+)?(?:[^;"'`]*?\s+from\s+)?["']([^"']+)["']/gm;
/** `require("x")` and `createRequire(import.meta.url)("x")`: the compiled builds load undici this way. */
const REQUIRE_CALL = /(?:\brequire|createRequire\([^()]*(?:\([^()]*\))?[^()]*\))\(\s*["']([^"'.][^"']*)["']\s*\)/g;

/**
 * The bare package names a module graph imports statically (type-only imports left out, as tsx strips
 * them). Dynamic imports are loaded only when a feature the gate never uses runs, so they are not followed.
 */
function bareImports(entries) {
  const seen = new Set();
  const bare = new Set();
  const stack = [...entries];
  while (stack.length > 0) {
    const file = stack.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    const source = fs.readFileSync(file, "utf8");
    for (const match of source.matchAll(REQUIRE_CALL)) {
      const spec = match[1];
      const parts = spec.split("/");
      const name = spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
      if (!spec.startsWith("node:") && !builtinModules.includes(name)) bare.add(name);
    }
    for (const match of source.matchAll(STATIC_IMPORT)) {
      if (match[2]) continue;
      const spec = match[3];
      if (spec.startsWith(".")) {
        let target = path.resolve(path.dirname(file), spec);
        if (!fs.existsSync(target) || fs.statSync(target).isDirectory()) {
          const candidates = [target.replace(/\.js$/, ".ts"), `${target}.ts`, path.join(target, "index.ts"), `${target}.js`];
          target = candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
        }
        if (target) stack.push(target);
      } else if (!spec.startsWith("node:")) {
        const parts = spec.split("/");
        bare.add(spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]);
      }
    }
  }
  return [...bare].sort();
}

/** An exact version from a dependency range ("^4.3.6" pins 4.3.6, its lower bound). */
function pin(range) {
  const m = /(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)/.exec(String(range));
  return m ? m[1] : null;
}

function readJson(file) {
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
}

function dependenciesFor(form, work, names) {
  const manifests = [
    readJson(path.join(work, TS_EXT, "package.json")),
    readJson(path.join(work, "package", "package.json")),
  ];
  const deps = {};
  for (const name of names) {
    if (name === "openclaw") {
      deps.openclaw = `file:${SDK_DIR}`;
      continue;
    }
    if (name === "undici") {
      // The compiled builds pin undici 8, which fails to import on node 20; undici 7 serves them.
      deps.undici = PINS.undici;
      continue;
    }
    const range = manifests.map((m) => m.dependencies?.[name] ?? m.optionalDependencies?.[name] ?? m.devDependencies?.[name]).find(Boolean);
    const version = range && pin(range);
    if (!version) fail(`the extension imports ${name} but no package.json in the tarball pins a version of it`);
    deps[name] = version;
  }
  if (form === "ts") deps.tsx = PINS.tsx;
  return deps;
}

function build(version, cacheDir, dest) {
  const pkg = packageFor(version);
  const tarball = fetchTarball(pkg, version, cacheDir);
  const form = formOf(tarball);
  const work = fs.mkdtempSync(path.join(cacheDir, `.prepare-${version}-`));
  try {
    fs.chmodSync(work, 0o755);
    const members = form === "ts" ? [TS_EXT, "package/package.json"] : ["package/dist", "package/package.json"];
    run("tar", ["-xzf", tarball, "-C", work, ...members]);
    const entry = form === "ts" ? path.join(TS_EXT, "src", "runtime.ts") : COMPILED_ENTRY;
    const configEntry = form === "ts" ? path.join(TS_EXT, "src", "config.ts") : null;
    const roots = [entry, configEntry].filter(Boolean).map((p) => path.join(work, p));
    const names = bareImports(roots);
    const dependencies = dependenciesFor(form, work, names);
    fs.writeFileSync(path.join(work, "package.json"), `${JSON.stringify({
      name: "callproof-openclaw-subject",
      private: true,
      type: "module",
      description: `${pkg}@${version}'s voice-call extension, prepared to run as a callproof subject`,
      dependencies,
    }, null, 2)}\n`);
    log(`npm install ${Object.entries(dependencies).map(([n, v]) => `${n}@${v}`).join(" ")}`);
    try {
      run("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--install-links", "--omit=dev",
        "--no-package-lock"], { cwd: work });
    } catch (err) {
      fail(`npm install failed for ${pkg}@${version}: ${err.message}`,
        "check that the npm registry is reachable (`npm ping`); the pinned versions are in the message above");
    }
    const prepared = { layout: LAYOUT, sdk: dependencies.openclaw ? sdkHash() : null, package: pkg, version, form, entry,
      configEntry, dependencies };
    fs.writeFileSync(path.join(work, "prepared.json"), `${JSON.stringify(prepared, null, 2)}\n`);
    try {
      fs.renameSync(work, dest);
    } catch (err) {
      if (!["EEXIST", "ENOTEMPTY", "EPERM"].includes(err.code) || !isPrepared(dest)) throw err;
      log(`another process prepared ${version} first; using its copy`);
      fs.rmSync(work, { recursive: true, force: true });
    }
  } catch (err) {
    fs.rmSync(work, { recursive: true, force: true });
    throw err;
  }
}

function isPrepared(dest) {
  try {
    const prepared = readJson(path.join(dest, "prepared.json"));
    return prepared.layout === LAYOUT && (prepared.sdk === null || prepared.sdk === sdkHash());
  } catch {
    return false;
  }
}

/** The command line that starts the prepared subject. */
function launch(dest) {
  const prepared = readJson(path.join(dest, "prepared.json"));
  const node = prepared.form === "ts" ? ["--import", "tsx"] : [];
  return { program: "node", args: [...node, DRIVER, dest], cwd: dest, env: {} };
}

/** Removes work directories left by a prepare that was killed (older than an hour, so none in use). */
function sweepLeftovers(cacheDir) {
  const cutoff = Date.now() - 60 * 60 * 1000;
  for (const [dir, prefix] of [[cacheDir, ".prepare-"], [path.join(cacheDir, "tarballs"), ".fetch-"]]) {
    let names = [];
    try {
      names = fs.readdirSync(dir);
    } catch {}
    for (const name of names) {
      const full = path.join(dir, name);
      try {
        if (name.startsWith(prefix) && fs.statSync(full).mtimeMs < cutoff) fs.rmSync(full, { recursive: true, force: true });
      } catch {}
    }
  }
}

function main(argv) {
  const [version, cacheArg] = argv;
  if (!version || !cacheArg || argv.length !== 2) {
    fail("usage: node prepare.mjs VERSION CACHE_DIR", "e.g. node prepare.mjs 2026.3.13 ~/.cache/callproof/openclaw");
  }
  if (!/^\d{4}\.\d{1,2}\.\d{1,2}(-[0-9A-Za-z.]+)?$/.test(version)) {
    fail(`not an OpenClaw version: ${JSON.stringify(version)}`, "versions look like 2026.3.13 or 2026.4.30-beta.1");
  }
  const cacheDir = path.resolve(cacheArg);
  fs.mkdirSync(cacheDir, { recursive: true });
  sweepLeftovers(cacheDir);
  const dest = path.join(cacheDir, `openclaw-${version}`);
  if (fs.existsSync(dest) && !isPrepared(dest)) {
    // Left by an older layout: move it aside atomically, then remove it.
    const stale = `${dest}.stale-${crypto.randomBytes(4).toString("hex")}`;
    try {
      fs.renameSync(dest, stale);
      fs.rmSync(stale, { recursive: true, force: true });
    } catch {}
  }
  if (!isPrepared(dest)) build(version, cacheDir, dest);
  process.stdout.write(`${JSON.stringify(launch(dest))}\n`);
}

try {
  main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`prepare.mjs: ${err instanceof PrepareError ? err.message : err.stack}\n`);
  process.exit(2);
}
