/**
 * A C project for `make` to build, each file a compile of about `functions / 400` s on
 * an idle core (-O2): `u0.c`…, and a Makefile building `u0.o`… with `compile` (`$<` the
 * source, `$@` the object). Returns the objects' names.
 */
export function writeMakeProject(
  dir: string,
  options: { files: number; functions: number; compile?: string },
): string[] {
  const compile = options.compile ?? "gcc -O2 -c $< -o $@";
  const objects = Array.from({ length: options.files }, (_, i) => `u${i}.o`);
  objects.forEach((object, i) => {
    // loops -O2 works at: the time goes to cc1, little to the assembler
    const lines = Array.from(
      { length: options.functions },
      (_, j) =>
        `int g${i}_${j}(int n) { int a = ${j}; for (int k = 0; k < n; k++) a = a * 33 + (k ^ (a >> 5)); return a; }`,
    );
    Deno.writeTextFileSync(`${dir}/${object.replace(/\.o$/, ".c")}`, `${lines.join("\n")}\n`);
  });
  Deno.writeTextFileSync(`${dir}/Makefile`, `all: ${objects.join(" ")}\n%.o: %.c\n\t${compile}\n`);
  return objects;
}
