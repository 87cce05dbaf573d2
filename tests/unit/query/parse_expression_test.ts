// The filter grammar: JavaScript's precedence with Python's words, parsed without a library.
import { assertEquals } from "../../_helpers/assert.ts";
import { compileFilter } from "../../../src/query/compile_filter.ts";
import type { FilterNode } from "../../../src/query/compile_filter.ts";
import { ExpressionSyntaxError, parseExpression } from "../../../src/query/parse_expression.ts";

/** A filter tree written back with every operation parenthesised, to compare shapes. */
function show(node: FilterNode): string {
  switch (node.type) {
    case "current":
      return "@";
    case "root":
      return "$";
    case "literal":
      return node.value instanceof RegExp ? String(node.value) : JSON.stringify(node.value);
    case "list":
      return `[${node.items.map(show).join(", ")}]`;
    case "member":
      return `${show(node.object)}.${
        typeof node.property === "string" ? node.property : `[${show(node.property)}]`
      }`;
    case "unary":
      return `(${node.operator} ${show(node.argument)})`;
    case "binary":
      return `(${show(node.left)} ${node.operator} ${show(node.right)})`;
    case "conditional":
      return `(${show(node.test)} ? ${show(node.consequent)} : ${show(node.alternate)})`;
    case "call":
      return `${node.target ? show(node.target) + "." : ""}${node.name}(${
        node.args.map(show).join(", ")
      })`;
  }
}

Deno.test("operators bind as in JavaScript, Python's not as in Python", () => {
  const cases: [string, string][] = [
    ["1 + 2 * 3 == 7", "((1 + (2 * 3)) == 7)"],
    ["@.a or @.b and @.c", "(@.a or (@.b and @.c))"],
    ["@.a || @.b && !@.c", "(@.a || (@.b && (! @.c)))"],
    ["not @.a == 1 and @.b", "((not (@.a == 1)) and @.b)"],
    ["@.stat.pid in [1, 2]", "(@.stat.pid in [1, 2])"],
    ["'sh' not  in @.cmdline", '("sh" not in @.cmdline)'],
    ["@.x is not None", "(@.x is not null)"],
    ["@.x is None or @.y == True", "((@.x is null) or (@.y == true))"],
    ["@['stat'].pid - -1 >= 2", '((@.["stat"].pid - (- 1)) >= 2)'],
    ["@.index == 1", "(@.index == 1)"], // a name that starts like `in` is a name
    ["@.a ? 1 : @.b ? 2 : 3", "(@.a ? 1 : (@.b ? 2 : 3))"],
    ["10 - 4 - 3 == 3", "(((10 - 4) - 3) == 3)"],
    ["@.c.startswith('/usr') and len(@.c) > .5e1", '(@.c.startswith("/usr") and (len(@.c) > 5))'],
  ];
  for (const [source, expected] of cases) {
    assertEquals(show(compileFilter(source)), expected, source);
  }
});

Deno.test("string escapes and regex literals, slashes inside classes included", () => {
  assertEquals(
    show(compileFilter(String.raw`@.c == 'it\'s\t"x"'`)),
    String.raw`(@.c == "it's\t\"x\"")`,
  );
  assertEquals(show(compileFilter("@.c =~ /a\\/b[/]c/i")), "(@.c =~ /a\\/b[/]c/i)");
  assertEquals(show(compileFilter("@.n / 2 > 1")), "((@.n / 2) > 1)");
});

Deno.test("a malformed filter says what was expected and where", () => {
  const cases: [string, string, number][] = [
    ["@.stat.pid == ", "Expected expression after ==", 13],
    ["@.c == 'open", "Unclosed quote", 7],
    ["@.a == 1a", "Variable names cannot start with a number", 8],
    ["(@.a == 1", "Expected ) to close the parenthesis", 9],
    ["@.a == 1 2", 'Unexpected "2"', 9],
    ["@.a =~ /x", "Unclosed regex", 7],
    ["@.a =~ /(/", "Invalid regex", 7],
  ];
  for (const [source, description, index] of cases) {
    try {
      parseExpression(source);
      throw new Error(`${source} parsed`);
    } catch (error) {
      assertEquals(error instanceof ExpressionSyntaxError, true, source);
      const { description: said, index: at } = error as ExpressionSyntaxError;
      assertEquals([said.startsWith(description), at], [true, index], `${source}: ${said}`);
    }
  }
});

Deno.test("deep nesting is refused with one line, not a stack overflow", () => {
  const deep = "(".repeat(100_000) + "1" + ")".repeat(100_000);
  try {
    compileFilter(deep);
    throw new Error("parsed");
  } catch (error) {
    assertEquals((error as Error).message.includes("nested too deeply"), true);
  }
});
