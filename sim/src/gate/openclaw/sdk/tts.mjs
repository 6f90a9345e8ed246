// The TTS config schemas of the stand-in SDK (zod, the extension's own copy: zod is a peer dependency).

import { z } from "zod";

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
