import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { eachLine, keepLast } from "./lines";

function linesOf(chunks: Array<string | Buffer>): Promise<string[]> {
  const input = new PassThrough();
  const got: string[] = [];
  const rl = eachLine(input, (l) => got.push(l));
  const done = new Promise<string[]>((resolve) => rl.on("close", () => resolve(got)));
  for (const c of chunks) input.write(c);
  input.end();
  return done;
}

describe("eachLine", () => {
  it("keeps lines whole wherever the chunks are cut, and the last line without a newline", async () => {
    expect(await linesOf(["ab", "c\nde", "f\n", "g"])).toEqual(["abc", "def", "g"]);
  });

  it("skips blank lines and takes CRLF as one line end", async () => {
    expect(await linesOf(["one\r", "\n\n  \ntwo\r\n"])).toEqual(["one", "two"]);
  });

  it("keeps a UTF-8 character cut between two chunks", async () => {
    const bytes = Buffer.from("é\n", "utf8");
    expect(await linesOf([bytes.subarray(0, 1), bytes.subarray(1)])).toEqual(["é"]);
  });

  it("ends the lines on a stream error, without throwing", async () => {
    const input = new PassThrough();
    const got: string[] = [];
    const rl = eachLine(input, (l) => got.push(l));
    const closed = new Promise<void>((resolve) => rl.on("close", () => resolve()));
    input.on("error", () => {}); // the owner's handler
    input.write("before\n");
    input.destroy(new Error("socket reset"));
    await closed;
    expect(got).toEqual(["before"]);
  });
});

describe("keepLast", () => {
  it("keeps at most max items, dropping the oldest", () => {
    const tail: number[] = [];
    for (let i = 1; i <= 5; i++) keepLast(tail, i, 3);
    expect(tail).toEqual([3, 4, 5]);
  });
});
