/**
 * Options that mean what they say (issue #14): every public entry point checks
 * its options up front, so a misspelled option is a typed error naming it (and
 * the closest known name) instead of a setting silently ignored; a missing
 * options object means the defaults; an array of bar objects where Columns are
 * expected says how to convert it.
 */
import { describe, expect, it } from "vitest";
import { atr, columnsFromBars, computeFeatureColumns, computeFeatures, createStream, OptionError, ColumnsError } from "../src/index.js";

import { tickWalkBars } from "@ict/testkit";

const bars1m = columnsFromBars(
  Array.from({ length: 60 }, (_, i) => ({
    t: Date.UTC(2024, 0, 2, 14, 30 + i),
    o: 100,
    h: 101 + (i % 3),
    l: 99 - (i % 2),
    c: 100 + (i % 5) / 10,
    v: 1,
  })),
);

function optionError(f: () => unknown): OptionError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(OptionError);
    return e as OptionError;
  }
  throw new Error("no error");
}

describe("options", () => {
  it("a misspelled option is an OptionError naming it and the closest known option, in every entry point", () => {
    const e = optionError(() => computeFeatures(bars1m, { tf: "1m", fillpolicy: "full" } as never));
    expect(e.option).toBe("fillpolicy");
    expect(e.message).toMatch(/unknown option of computeFeatures; did you mean "fillPolicy"\?/);
    expect(optionError(() => computeFeatureColumns(bars1m, { minGap: 1 } as never)).message).toMatch(/did you mean "minGapAtr"\?/);
    expect(optionError(() => createStream({ tf: "1m", lookbak: 20 } as never)).message).toMatch(/did you mean "lookback"\?/);
    expect(optionError(() => atr(bars1m, { perod: 14 } as never)).message).toMatch(/did you mean "period"\?/);
    // Nested: the ATR options of the zone detectors.
    expect(optionError(() => computeFeatures(bars1m, { tf: "1m", atr: { methd: "wilder" } } as never)).option).toBe("methd");
    // Nothing close: no guess, the known names are listed.
    expect(optionError(() => computeFeatures(bars1m, { tf: "1m", zzzzzzzz: 1 } as never)).message).not.toMatch(/did you mean/);
    expect(optionError(() => computeFeatures(bars1m, "1m" as never)).message).toMatch(/options must be an object/);
  });

  it("without options computeFeatures uses the defaults and reads the timeframe off the bars' spacing", () => {
    const f = computeFeatures(bars1m);
    expect(JSON.stringify(f)).toBe(JSON.stringify(computeFeatures(bars1m, { tf: "1m" })));
    const r = tickWalkBars(400, 5);
    const five = columnsFromBars(
      Array.from(r.t, (_, i) => ({ t: Date.UTC(2024, 0, 2) + i * 300_000, o: r.o[i]!, h: r.h[i]!, l: r.l[i]!, c: r.c[i]!, v: r.v[i]! })),
    );
    expect(computeFeatures(five).tf).toBe("5m");
    expect(JSON.stringify(computeFeatures(five))).toBe(JSON.stringify(computeFeatures(five, { tf: "5m" })));
    const hourly = columnsFromBars([0, 1, 3].map((h) => ({ t: Date.UTC(2024, 0, 2, h), o: 1, h: 2, l: 0.5, c: 1.5 })));
    expect(computeFeatures(hourly).tf).toBe("1h");
    expect(computeFeatures(columnsFromBars([])).tf).toBe("1m");
  });

  it("a stream needs its timeframe label (it has no bars to read it from)", () => {
    expect(optionError(() => createStream({} as never)).option).toBe("tf");
    expect(optionError(() => createStream(undefined as never)).option).toBe("tf");
  });

  it("an array of bar objects where Columns are expected says how to convert it", () => {
    expect(() => computeFeatures([{ t: 0, o: 1, h: 2, l: 0.5, c: 1.5 }] as never, { tf: "1m" })).toThrow(ColumnsError);
    expect(() => computeFeatures([{ t: 0, o: 1, h: 2, l: 0.5, c: 1.5 }] as never, { tf: "1m" })).toThrow(/columnsFromBars\(bars\)/);
  });
});
