import { describe, expect, it } from "vitest";
import { parseLabel } from "../src/scan";

describe("parseLabel", () => {
  it("reads the asset code of a label URL", () => {
    expect(parseLabel("https://leases.example.com/a/SH-LJZ-1201?s=1tVRK3YAs")).toEqual({
      ok: true,
      code: "SH-LJZ-1201",
      signed: true,
      text: "https://leases.example.com/a/SH-LJZ-1201?s=1tVRK3YAs",
    });
  });

  it("takes a typed asset code as it is", () => {
    expect(parseLabel("  SH-LJZ-1202 ")).toMatchObject({ ok: true, code: "SH-LJZ-1202", signed: false });
  });

  it("refuses what is not a label, as the server would", () => {
    const problem = (text: string) => {
      const parsed = parseLabel(text);
      return parsed.ok ? null : parsed.problem;
    };
    expect(problem("")).toBe("empty");
    expect(problem("wxp://f2f0abc")).toBe("not_a_url");
    expect(problem("pay me 10 yuan")).toBe("not_a_url");
    expect(problem("https://example.com/pay?id=1")).toBe("foreign");
    expect(problem("https://leases.example.com/a/SH-LJZ-1201")).toBe("malformed");
    expect(problem("https://leases.example.com/a/SH-LJZ-1201?s=1tVRK3Y")).toBe("malformed");
    expect(problem("https://leases.example.com/a/SH-LJZ-1201?s=1tVRK3YAs&x=1")).toBe("malformed");
    expect(problem("https://leases.example.com/a/SH-LJZ-1201?s=1tVRK3YAs#top")).toBe("malformed");
    expect(problem("https://leases.example.com/a/SH%20LJZ?s=1tVRK3YAs")).toBe("malformed");
    expect(problem("https://leases.example.com/a/SH-LJZ-1201?s=2tVRK3YAs")).toBe("unsupported_version");
  });
});
