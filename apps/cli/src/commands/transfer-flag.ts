import {
  AppError,
  transferBaseSchema,
  zodIssuesToDetails,
  type TransferBase,
} from '@mlops/contracts';

/**
 * The base of `--transfer-from <model>@<version|alias>`: digits after the last `@` are a
 * version, anything else an alias (`mobilenet@3`, `mobilenet@champion`).
 */
export function parseTransferFrom(value: string): TransferBase {
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1)
    throw new AppError(
      'VALIDATION_FAILED',
      `--transfer-from must be <model>@<version|alias>, e.g. mobilenet@3 or mobilenet@champion; got "${value}"`,
    );
  const model = value.slice(0, at);
  const ref = value.slice(at + 1);
  const parsed = transferBaseSchema.safeParse(
    /^\d+$/.test(ref) ? { model, version: Number(ref) } : { model, alias: ref },
  );
  if (!parsed.success)
    throw new AppError(
      'VALIDATION_FAILED',
      `--transfer-from "${value}" does not name a model version or alias`,
      zodIssuesToDetails(parsed.error.issues),
    );
  return parsed.data;
}
