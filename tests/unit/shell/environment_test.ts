import { assertEquals, assertThrows } from "../../_helpers/assert.ts";
import {
  EnvironmentError,
  evaluateEnvironment,
  parseEnvironmentSpec,
} from "../../../src/shell/evaluate_environment.ts";

Deno.test("-e NAME=command: checked and split at the first =", () => {
  assertEquals(parseEnvironmentSpec("P=pgrep -f a=b"), { name: "P", command: "pgrep -f a=b" });
  for (const bad of ["P", "1P=x", "P-Q=x", "=x"]) {
    assertThrows(() => parseEnvironmentSpec(bad), EnvironmentError);
  }
});

Deno.test("-e commands run in one shell, in order, leniently as the reference's", async () => {
  const warnings: string[] = [];
  const vars = await evaluateEnvironment(
    [
      parseEnvironmentSpec("A=echo 12"),
      parseEnvironmentSpec("B=echo ${A}0; echo second line"),
      parseEnvironmentSpec("C=echo partial; exit 3"),
      parseEnvironmentSpec("D=true"),
    ],
    (m) => warnings.push(m),
  );
  // a value keeps its first line; a later command sees the earlier variables
  assertEquals(vars, { A: "12", B: "120", C: "partial", D: "" });
  assertEquals(warnings.length, 2, warnings.join("\n")); // C's status, D empty
  assertEquals(warnings.some((w) => w.includes("C") && w.includes("3")), true, warnings.join());
});
