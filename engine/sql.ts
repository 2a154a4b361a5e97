// Quoting for everything Freshet puts into SQL: names become quoted identifiers, values literals.

/** A quoted identifier: `user "x"` → `"user ""x"""`. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A quoted string literal. */
export function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A SQL list of string literals: `['a', 'b']`. */
export function literalList(values: string[]): string {
  return `[${values.map(literal).join(', ')}]`;
}
