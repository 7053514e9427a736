import { describe, expect, it } from "vitest";
import { filenameFromDisposition } from "./download";

describe("filenameFromDisposition", () => {
  it("reads quoted, bare and RFC 5987 file names", () => {
    expect(filenameFromDisposition('attachment; filename="swarmscope-abc-20250101T000000Z.json"', "x")).toBe("swarmscope-abc-20250101T000000Z.json");
    expect(filenameFromDisposition("attachment; filename=report.md", "x")).toBe("report.md");
    expect(filenameFromDisposition("attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.csv; filename=\"resume.csv\"", "x")).toBe("résumé.csv");
    expect(filenameFromDisposition('attachment; filename="a \\"b\\".txt"', "x")).toBe('a "b".txt');
  });

  it("falls back when absent or unsafe", () => {
    expect(filenameFromDisposition(null, "fallback.json")).toBe("fallback.json");
    expect(filenameFromDisposition("attachment", "fallback.json")).toBe("fallback.json");
    expect(filenameFromDisposition('attachment; filename="../../etc/passwd"', "f")).toBe("passwd");
    expect(filenameFromDisposition('attachment; filename=".."', "f")).toBe("f");
  });
});
