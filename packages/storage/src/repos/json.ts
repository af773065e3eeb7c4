/** JSON columns are text; parse them back through the contract schema so bad rows fail loudly. */
export function parseJsonColumn<T>(
  schema: { parse(value: unknown): T },
  text: string,
  what: string,
): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`stored ${what} is not valid JSON`, { cause: err });
  }
  return schema.parse(value);
}
