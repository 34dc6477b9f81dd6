// Generated files must be current: the host's ABI copy (src/engine/abi.ts, from assembly/abi.ts)
// and the scheduler dispatch (assembly/sched/dispatch.ts, from the scheduler files); the drop-reason
// table must name every DROP_* code once.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import path from "node:path";
import { root } from "../helpers/paths.ts";
import { generateAbi } from "../../scripts/gen-abi.ts";
import * as A from "../../src/engine/abi.ts";
import { currentDispatch } from "../../scripts/gen-sched.ts";

test("src/engine/abi.ts is generated from assembly/abi.ts", () => {
  const expected = generateAbi(fs.readFileSync(path.join(root, "assembly/abi.ts"), "utf8"));
  assert.is(fs.readFileSync(path.join(root, "src/engine/abi.ts"), "utf8"), expected);
});

test("drop reason names cover 0..DROP_REASONS-1 without duplicates", () => {
  assert.is(A.DROP_REASON_NAMES.length, A.DROP_REASONS);
  assert.is(new Set(A.DROP_REASON_NAMES).size, A.DROP_REASONS);
  assert.is(A.DROP_REASON_NAMES[A.DROP_TRUNCATED_L4], "truncated-l4");
});

test("the generator drifts when assembly/abi.ts changes", () => {
  const src = fs.readFileSync(path.join(root, "assembly/abi.ts"), "utf8");
  assert.is.not(generateAbi(src.replace("DESC_SIZE: u32 = 32", "DESC_SIZE: u32 = 48")), generateAbi(src));
});

test("assembly/sched/dispatch.ts is generated from the scheduler files", () => {
  assert.is(fs.readFileSync(path.join(root, "assembly/sched/dispatch.ts"), "utf8"), currentDispatch());
});

test.run();
