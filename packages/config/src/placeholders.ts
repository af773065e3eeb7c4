/**
 * Secrets copied from an example file unchanged (`.env.example` ships `change-me-…` values) used
 * to pass validation, so a deployment could run with a password the whole world has read.
 * Variables whose name says they hold a secret, and the password inside URL-valued variables,
 * are refused when they look like such a placeholder.
 */
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|_KEY)$/;
const URL_NAME = /_URL$/;
/** Words an example value is made of, compared without case or separators. */
const PLACEHOLDER_PARTS = ['changeme', 'replaceme', 'placeholder', 'yoursecret', 'yourtoken'];
const PLACEHOLDER_VALUES = new Set(['example', 'password', 'secret', 'token', 'changeit', 'xxx']);

export function isPlaceholder(value: string): boolean {
  const plain = value.toLowerCase().replace(/[^a-z0-9]/g, '');
  return (
    PLACEHOLDER_VALUES.has(plain) ||
    /^x+$/.test(plain) ||
    PLACEHOLDER_PARTS.some((part) => plain.includes(part))
  );
}

/** One message per variable of `names` in `env` that holds a placeholder secret. */
export function placeholderIssues(
  names: readonly string[],
  env: Record<string, string | undefined>,
): string[] {
  const issues: string[] = [];
  for (const name of names) {
    const value = env[name];
    if (!value) continue;
    if (SECRET_NAME.test(name) && isPlaceholder(value))
      issues.push(`${name}: is a placeholder from an example file; set a real secret`);
    else if (URL_NAME.test(name)) {
      const password = urlPassword(value);
      if (password && isPlaceholder(password))
        issues.push(`${name}: its password is a placeholder from an example file; set a real one`);
    }
  }
  return issues;
}

function urlPassword(value: string): string | undefined {
  try {
    return decodeURIComponent(new URL(value).password) || undefined;
  } catch {
    return undefined;
  }
}
