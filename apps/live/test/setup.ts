import { rmSync } from "node:fs";
import { afterAll } from "vitest";
import { madeDirs } from "./helpers.js";

// Tests clean up what they create: every temporary folder of the file.
afterAll(() => {
  for (const d of madeDirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
