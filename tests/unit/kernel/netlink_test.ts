import { assertEquals } from "../../_helpers/assert.ts";
import { netlinkAddress, receiveTimeout } from "../../../src/kernel/netlink.ts";

Deno.test("netlinkAddress(): sockaddr_nl bytes, family 16 and the groups at offset 8", () => {
  assertEquals([...netlinkAddress()], [16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assertEquals([...netlinkAddress(1)], [16, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
});

Deno.test("receiveTimeout(): a timeval of seconds and microseconds", () => {
  assertEquals([...receiveTimeout(200)], [0n, 200_000n]);
  assertEquals([...receiveTimeout(1000)], [1n, 0n]);
  assertEquals([...receiveTimeout(2500)], [2n, 500_000n]);
});
