import { describe, expect, it } from "vitest";
import { columnsFromArrays, computeFeatures, createStream, sliceColumns } from "../src/index.js";
import { randomBars } from "./helpers.js";

describe("quick", () => {
  it("prefix equality", () => {
    for (const seed of [1, 2, 3]) {
      const b = randomBars(600, seed);
      const cols = columnsFromArrays(b);
      const s = createStream({ tf: "1m" });
      for (let i = 0; i < cols.length; i++) {
        s.push({ t: cols.t[i]!, o: cols.o[i]!, h: cols.h[i]!, l: cols.l[i]!, c: cols.c[i]!, v: cols.v[i]! });
        const want = computeFeatures(sliceColumns(cols, 0, i + 1), { tf: "1m" });
        const got = s.features();
        if (JSON.stringify(got) !== JSON.stringify(want)) {
          expect({ seed, i, got }).toEqual({ seed, i, got: want });
        }
      }
    }
  });
});
