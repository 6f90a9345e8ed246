// callproof's stand-in for `openclaw/plugin-sdk` (and `openclaw/plugin-sdk/voice-call`).
//
// The voice-call extension's TypeScript source (2026.2.12 to 2026.3.13) imports a handful of helpers from
// the OpenClaw app's plugin SDK. The real SDK pulls in most of the app, so the driver gives the extension
// this package instead. Each helper does what the extension relies on and nothing more; none of them
// touches call state, so the extension's own behaviour is what the gate judges.

export * from "./net.mjs";
export * from "./tts.mjs";
