// Object keys are relative, '/'-separated, and may not climb out of their store.

export function checkKey(key: string): string {
  const trimmed = key.replace(/^\/+|\/+$/g, '');
  if (trimmed.split('/').some((seg) => seg === '..')) {
    throw new Error(`invalid object path "${key}": ".." is not allowed`);
  }
  return trimmed;
}

export function joinKey(a: string, b: string): string {
  if (!a) return b;
  if (!b) return a;
  return `${a.replace(/\/+$/, '')}/${b.replace(/^\/+/, '')}`;
}
