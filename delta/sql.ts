// Quoting for everything Freshet puts into DuckDB SQL, in every folder: names become quoted
// identifiers, values string literals. Nothing else builds quoted SQL text.

/** A quoted identifier: `user "x"` → `"user ""x"""`. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A quoted string literal: `it's` → `'it''s'`. */
export function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A SQL list of string literals: `['a', 'b']`. */
export function literalList(values: string[]): string {
  return `[${values.map(literal).join(', ')}]`;
}
