import {
  AppError,
  isModelUri,
  parseModelUri,
  transferBaseSchema,
  zodIssuesToDetails,
  type TransferBase,
} from '@mlops/contracts';

/**
 * The base of `--transfer-from <model>@<version|alias>`: digits after the last `@` are a
 * version, anything else an alias (`mobilenet@3`, `mobilenet@champion`). MLflow's
 * `models:/mobilenet/3` and `models:/mobilenet@champion` are read too.
 */
export function parseTransferFrom(value: string): TransferBase {
  if (isModelUri(value)) {
    const ref = parseModelUri(value, '--transfer-from');
    return transferBaseSchema.parse(
      ref.alias !== undefined ? { model: ref.model, alias: ref.alias } : ref,
    );
  }
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
