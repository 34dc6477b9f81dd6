// ipvsadm print_largenum() boundaries (ipvs-control.md §6.4): "%9llu" below 10^8, then "%8lluK",
// "%8lluM", "%8lluG", "%8lluT" with integer division by powers of 1000, switching at 10^8, 10^9,
// 10^11 and 10^14; --exact prints every digit in max(9, digits+1) columns.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { largenum } from "../../src/control/printf.ts";

test("below 10^8: nine columns, full value", () => {
  assert.is(largenum(0), "        0");
  assert.is(largenum(99999999), " 99999999");
});

test("10^8 boundary switches to K", () => {
  assert.is(largenum(100000000), "  100000K");
  assert.is(largenum(999999999), "  999999K");
});

test("10^9 boundary switches to M", () => {
  assert.is(largenum(1000000000), "    1000M");
  assert.is(largenum(1345678901), "    1345M");
  assert.is(largenum(99999999999), "   99999M");
});

test("10^11 boundary switches to G", () => {
  assert.is(largenum(100000000000), "     100G");
  assert.is(largenum(99999999999999), "   99999G");
});

test("10^14 boundary switches to T; 64-bit values as bigint", () => {
  assert.is(largenum(100000000000000), "     100T");
  assert.is(largenum(18446744073709551615n), "18446744T");   // 8 digits fill %8llu
  assert.is(largenum(1234567000000000000n), " 1234567T");
  assert.is(largenum(123456789012345678901234n), "123456789012T");   // %8llu never truncates
});

test("--exact: at least 9 columns, else digits + 1", () => {
  assert.is(largenum(12345678, true), " 12345678");
  assert.is(largenum(7, true), "        7");
  assert.is(largenum(123456789, true), " 123456789");
  assert.is(largenum(1345678901, true), " 1345678901");
  assert.is(largenum(18446744073709551615n, true), " 18446744073709551615");
});

test.run();
